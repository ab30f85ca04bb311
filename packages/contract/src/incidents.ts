import { type Static, Type } from '@sinclair/typebox';
import { Timestamp, Uuid } from './common.ts';
import { TLP_LEVELS } from './tlp.ts';

export const REPORT_CHANNELS = ['web', 'email', 'api', 'feed', 'iodef', 'xarf'] as const;
export const REPORT_STATUSES = ['new', 'triaged', 'linked', 'discarded', 'closed'] as const;
/** JPCERT/CC's incident categories, in the order of its quarterly report. */
export const INCIDENT_CATEGORIES = ['phishing', 'defacement', 'malware_site', 'scan', 'dos', 'ics', 'targeted_attack', 'other'] as const;
export const INCIDENT_STATUSES = ['open', 'in_progress', 'waiting', 'resolved', 'closed', 'merged'] as const;
export const OBSERVABLE_KINDS = ['ip', 'domain', 'url', 'email', 'hash_md5', 'hash_sha1', 'hash_sha256', 'asn'] as const;
export const COORDINATION_ROLES = ['isp', 'site_owner', 'foreign_csirt', 'registrar', 'other'] as const;
export const COORDINATION_STATES = ['drafted', 'sent', 'acknowledged', 'acted', 'no_response', 'closed'] as const;

export type ReportChannel = (typeof REPORT_CHANNELS)[number];
export type ReportStatus = (typeof REPORT_STATUSES)[number];
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export type ObservableKind = (typeof OBSERVABLE_KINDS)[number];
export type CoordinationRole = (typeof COORDINATION_ROLES)[number];
export type CoordinationState = (typeof COORDINATION_STATES)[number];

/**
 * JPCERT/CC category → RSIT (Reference Security Incident Taxonomy) `class:type`, for export.
 * Defacement is an application compromise in RSIT; control-system incidents and targeted attacks have
 * no RSIT class of their own and are exported as system compromise (their usual shape).
 */
export const CATEGORY_TO_RSIT: Record<IncidentCategory, string> = {
  phishing: 'fraud:phishing',
  defacement: 'intrusions:application-compromise',
  malware_site: 'malicious-code:malware-distribution',
  scan: 'information-gathering:scanner',
  dos: 'availability:ddos',
  ics: 'intrusions:system-compromise',
  targeted_attack: 'intrusions:system-compromise',
  other: 'other:other',
};

/** Category names a person reads. */
export const CATEGORY_LABELS: Record<IncidentCategory, { en: string; ja: string }> = {
  phishing: { en: 'Phishing site', ja: 'フィッシングサイト' },
  defacement: { en: 'Web defacement', ja: 'Webサイト改ざん' },
  malware_site: { en: 'Malware site', ja: 'マルウエアサイト' },
  scan: { en: 'Scan', ja: 'スキャン' },
  dos: { en: 'DoS/DDoS', ja: 'DoS/DDoS' },
  ics: { en: 'Control-system related', ja: '制御システム関連' },
  targeted_attack: { en: 'Targeted attack', ja: '標的型攻撃' },
  other: { en: 'Other', ja: 'その他' },
};

/** Which coordination states may follow which. `closed` is final. */
export const COORDINATION_TRANSITIONS: Record<CoordinationState, readonly CoordinationState[]> = {
  drafted: ['sent', 'closed'],
  sent: ['acknowledged', 'acted', 'no_response', 'closed'],
  acknowledged: ['acted', 'no_response', 'closed'],
  acted: ['closed'],
  no_response: ['sent', 'acknowledged', 'acted', 'closed'],
  closed: [],
};

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((value) => Type.Literal(value)));
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const NullableTime = Type.Union([Timestamp, Type.Null()]);
const Tlp = literals(TLP_LEVELS);
const Priority = Type.Integer({ minimum: 1, maximum: 4, description: '1 = most urgent … 4 = least' });

export const Observable = Type.Object({
  id: Type.Integer(),
  kind: literals(OBSERVABLE_KINDS),
  value: Type.String({ description: 'Normalised (punycode domains, canonical IPs)' }),
  display: Type.String({ description: 'What a person reads (Unicode form of an IDN)' }),
  original: Type.String({ description: 'As it appeared in the report, possibly defanged' }),
});

export const ReportSummary = Type.Object({
  id: Uuid,
  reference: Type.String(),
  channel: literals(REPORT_CHANNELS),
  status: literals(REPORT_STATUSES),
  priority: Type.Integer(),
  tlp: Tlp,
  category: Type.Union([literals(INCIDENT_CATEGORIES), Type.Null()]),
  title: Type.String(),
  reporterName: Type.Union([Type.String(), Type.Null()]),
  reporterEmail: Type.Union([Type.String(), Type.Null()]),
  reporterOrganisation: Type.Union([Type.String(), Type.Null()]),
  receivedAt: Timestamp,
  observableCount: Type.Integer(),
});

export const ReportMessage = Type.Object({ id: Type.Integer(), author: literals(['reporter', 'team'] as const), body: Type.String(), at: Timestamp });

export const ReportDetail = Type.Composite([
  ReportSummary,
  Type.Object({
    description: Type.String(),
    rawText: Type.Union([Type.String(), Type.Null()]),
    rawSha256: Type.Union([Type.String(), Type.Null()]),
    contentType: Type.Union([Type.String(), Type.Null()]),
    reporterLanguage: Type.Union([literals(['ja', 'en'] as const), Type.Null()]),
    observablesDropped: Type.Integer({ description: 'Observables found beyond the per-report cap and not stored' }),
    observables: Type.Array(Observable),
    incidents: Type.Array(Type.Object({ id: Uuid, reference: Type.String(), title: Type.String(), status: literals(INCIDENT_STATUSES) })),
    messages: Type.Array(ReportMessage),
    lookup: Type.Array(Type.Unknown(), { description: 'Network lookup answers for the IPs and domains (directory and imported data)' }),
  }),
]);

export const ReportListQuery = Type.Object({
  status: Type.Optional(literals(REPORT_STATUSES)),
  channel: Type.Optional(literals(REPORT_CHANNELS)),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
});

/** `POST /api/v1/reports` as JSON (partners, tools). IODEF and X-ARF arrive by content type instead. */
export const CreateReportRequest = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 500 }),
    description: Type.Optional(Type.String({ maxLength: 100_000 })),
    category: Type.Optional(literals(INCIDENT_CATEGORIES)),
    tlp: Type.Optional(Tlp),
    reporter: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Type.String({ maxLength: 200 })),
          email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
          organisation: Type.Optional(Type.String({ maxLength: 200 })),
          language: Type.Optional(literals(['ja', 'en'] as const)),
        },
        { additionalProperties: false },
      ),
    ),
    observables: Type.Optional(
      Type.Array(Type.String({ maxLength: 2048 }), {
        maxItems: 20_000,
        description: 'IPs, domains, URLs, e-mail addresses, hashes, AS numbers; defanged forms accepted',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CreateReportRequest = Static<typeof CreateReportRequest>;

export const CreateReportResponse = Type.Object({
  id: Uuid,
  reference: Type.String(),
  observableCount: Type.Integer(),
  observablesDropped: Type.Integer(),
  warnings: Type.Array(Type.String()),
});

export const UpdateReportRequest = Type.Object(
  {
    status: Type.Optional(literals(REPORT_STATUSES)),
    priority: Type.Optional(Priority),
    tlp: Type.Optional(Tlp),
    category: Type.Optional(Type.Union([literals(INCIDENT_CATEGORIES), Type.Null()])),
  },
  { additionalProperties: false },
);
export type UpdateReportRequest = Static<typeof UpdateReportRequest>;

export const ReplyToReporterRequest = Type.Object({ body: Type.String({ minLength: 1, maxLength: 20_000 }) }, { additionalProperties: false });

export const Incident = Type.Object({
  id: Uuid,
  reference: Type.String(),
  title: Type.String(),
  category: literals(INCIDENT_CATEGORIES),
  rsit: Type.String({ description: 'The category as RSIT class:type' }),
  tlp: Tlp,
  priority: Type.Integer(),
  status: literals(INCIDENT_STATUSES),
  assigneeId: Type.Union([Uuid, Type.Null()]),
  dueAt: NullableTime,
  mergedInto: Type.Union([Uuid, Type.Null()]),
  brand: Nullable(Type.String()),
  brandSector: Nullable(Type.String()),
  brandDomestic: Type.Union([Type.Boolean(), Type.Null()]),
  hostingType: Nullable(Type.String()),
  firstReportedAt: NullableTime,
  siteDownAt: NullableTime,
  takedownSeconds: Type.Union([Type.Integer(), Type.Null()], { description: 'site_down_at − first_reported_at' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  closedAt: NullableTime,
  reportIds: Type.Array(Uuid),
});

export const IncidentListQuery = Type.Object({
  status: Type.Optional(literals(INCIDENT_STATUSES)),
  category: Type.Optional(literals(INCIDENT_CATEGORIES)),
  assigneeId: Type.Optional(Uuid),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
});

export const CreateIncidentRequest = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    category: Type.Optional(literals(INCIDENT_CATEGORIES)),
    tlp: Type.Optional(Tlp),
    priority: Type.Optional(Priority),
    reportIds: Type.Array(Uuid, { minItems: 1, maxItems: 500 }),
  },
  { additionalProperties: false },
);
export type CreateIncidentRequest = Static<typeof CreateIncidentRequest>;

export const UpdateIncidentRequest = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    category: Type.Optional(literals(INCIDENT_CATEGORIES)),
    tlp: Type.Optional(Tlp),
    priority: Type.Optional(Priority),
    status: Type.Optional(literals(['open', 'in_progress', 'waiting', 'resolved', 'closed'] as const)),
    assigneeId: Type.Optional(Type.Union([Uuid, Type.Null()])),
    dueAt: Type.Optional(NullableTime),
    brand: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    brandSector: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    brandDomestic: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    hostingType: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    firstReportedAt: Type.Optional(NullableTime),
    siteDownAt: Type.Optional(NullableTime),
  },
  { additionalProperties: false },
);
export type UpdateIncidentRequest = Static<typeof UpdateIncidentRequest>;

export const LinkReportsRequest = Type.Object({ reportIds: Type.Array(Uuid, { minItems: 1, maxItems: 500 }) }, { additionalProperties: false });
export const MergeIncidentRequest = Type.Object({ intoId: Uuid }, { additionalProperties: false });
export const SplitIncidentRequest = Type.Object(
  {
    reportIds: Type.Array(Uuid, { minItems: 1, maxItems: 500 }),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    category: Type.Optional(literals(INCIDENT_CATEGORIES)),
  },
  { additionalProperties: false },
);
export const NoteRequest = Type.Object({ body: Type.String({ minLength: 1, maxLength: 20_000 }) }, { additionalProperties: false });

export const IncidentEvent = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  actorId: Type.Union([Uuid, Type.Null()]),
  actorLabel: Type.String(),
  at: Timestamp,
  data: Type.Record(Type.String(), Type.Unknown()),
});

export const Proposal = Type.Object({
  incident: Type.Object({
    id: Uuid,
    reference: Type.String(),
    title: Type.String(),
    category: literals(INCIDENT_CATEGORIES),
    status: literals(INCIDENT_STATUSES),
  }),
  matched: Type.Array(Type.Object({ kind: literals(OBSERVABLE_KINDS), value: Type.String() })),
  lastReportAt: Timestamp,
});

export const Coordination = Type.Object({
  id: Uuid,
  incidentId: Uuid,
  threadKey: Type.String(),
  organisationId: Type.Union([Uuid, Type.Null()]),
  contactName: Nullable(Type.String()),
  contactEmail: Nullable(Type.String()),
  role: literals(COORDINATION_ROLES),
  state: literals(COORDINATION_STATES),
  country: Nullable(Type.String()),
  language: literals(['ja', 'en'] as const),
  mailThreadId: Type.Union([Uuid, Type.Null()]),
  nextReminderAt: NullableTime,
  remindersSent: Type.Integer(),
  escalatedFrom: Type.Union([Uuid, Type.Null()]),
  notes: Nullable(Type.String()),
  sentAt: NullableTime,
  acknowledgedAt: NullableTime,
  actedAt: NullableTime,
  closedAt: NullableTime,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const CreateCoordinationRequest = Type.Object(
  {
    organisationId: Type.Optional(Uuid),
    contactName: Type.Optional(Type.String({ maxLength: 200 })),
    contactEmail: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    role: literals(COORDINATION_ROLES),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    language: Type.Optional(literals(['ja', 'en'] as const)),
    notes: Type.Optional(Type.String({ maxLength: 20_000 })),
  },
  { additionalProperties: false },
);
export type CreateCoordinationRequest = Static<typeof CreateCoordinationRequest>;

export const UpdateCoordinationRequest = Type.Object(
  {
    contactName: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    contactEmail: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()])),
    notes: Type.Optional(Type.Union([Type.String({ maxLength: 20_000 }), Type.Null()])),
    nextReminderAt: Type.Optional(NullableTime),
  },
  { additionalProperties: false },
);
export type UpdateCoordinationRequest = Static<typeof UpdateCoordinationRequest>;

export const TransitionCoordinationRequest = Type.Object(
  { state: literals(COORDINATION_STATES), note: Type.Optional(Type.String({ maxLength: 20_000 })) },
  { additionalProperties: false },
);

export const SendCoordinationRequest = Type.Object(
  {
    subject: Type.String({ minLength: 1, maxLength: 500 }),
    text: Type.String({ minLength: 1, maxLength: 200_000 }),
    tlp: Type.Optional(Tlp),
    to: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
  },
  { additionalProperties: false },
);
