import { type Static, Type } from '@sinclair/typebox';
import { Page, Timestamp, Uuid } from './common.ts';

/**
 * Vulnerability coordination (the Early Warning Partnership flow): a finder's report, the case it becomes,
 * its vulnerabilities, the vendors and other participants, each vendor's status per vulnerability and
 * product, and the embargo every participant agrees to.
 */

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((value) => Type.Literal(value)));

export const VULNERABILITY_REPORT_CHANNELS = ['web', 'email', 'api'] as const;
export const VULNERABILITY_REPORT_STATUSES = ['new', 'accepted', 'declined'] as const;
export const CASE_STATUSES = ['verifying', 'coordinating', 'scheduled', 'published', 'closed'] as const;
export const PARTICIPANT_ROLES = ['vendor', 'finder', 'coordinator'] as const;
/**
 * A vendor's answer per vulnerability (and product). JVN's five values, plus the two states before an
 * answer: "not yet notified" and "notified, no answer" are not "unknown" (silence is not a status), and
 * "unreachable" once every contact attempt has failed.
 */
export const VENDOR_STATUSES = [
  'not_notified',
  'notified_no_answer',
  'unknown',
  'vulnerable',
  'vulnerable_investigating',
  'not_vulnerable',
  'not_vulnerable_investigating',
  'unreachable',
] as const;
/** The statuses a vendor may set itself; the other three are facts the coordinator's records give. */
export const VENDOR_ANSWERS = ['unknown', 'vulnerable', 'vulnerable_investigating', 'not_vulnerable', 'not_vulnerable_investigating'] as const;
/** VEX justifications for "not affected" (CSAF / OpenVEX names). */
export const VEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'vulnerable_code_not_in_execute_path',
  'inline_mitigations_already_exist',
] as const;
export const CONTACT_CHANNELS = ['mail', 'phone', 'post', 'web_form', 'other'] as const;
export const CONTACT_OUTCOMES = ['sent', 'bounced', 'answered', 'no_answer'] as const;
export const EMBARGO_STATES = ['proposed', 'agreed', 'rejected', 'superseded', 'released'] as const;
export const EMBARGO_DECISIONS = ['accepted', 'rejected'] as const;

export type VulnerabilityReportChannel = (typeof VULNERABILITY_REPORT_CHANNELS)[number];
export type VulnerabilityReportStatus = (typeof VULNERABILITY_REPORT_STATUSES)[number];
export type CaseStatus = (typeof CASE_STATUSES)[number];
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];
export type VendorStatus = (typeof VENDOR_STATUSES)[number];
export type VendorAnswer = (typeof VENDOR_ANSWERS)[number];
export type VexJustification = (typeof VEX_JUSTIFICATIONS)[number];
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export type ContactOutcome = (typeof CONTACT_OUTCOMES)[number];
export type EmbargoState = (typeof EMBARGO_STATES)[number];
export type EmbargoDecision = (typeof EMBARGO_DECISIONS)[number];

const Text = (maxLength: number) => Type.String({ maxLength });
const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

/** How the finder wants to be credited; anonymous hides name and organisation from everyone but the team. */
export const FinderCredit = Type.Object(
  {
    name: Type.Optional(Text(200)),
    organisation: Type.Optional(Text(200)),
    anonymous: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** `POST /api/v1/vulnerability-reports`: a finder's report, or a partner forwarding one on a finder's behalf. */
export const CreateVulnerabilityReportRequest = Type.Object(
  {
    productName: Type.String({ minLength: 1, maxLength: 300 }),
    productVersion: Type.Optional(Text(300)),
    developerName: Type.Optional(Text(300)),
    vulnerabilityType: Type.Optional(Type.String({ maxLength: 40, description: 'CWE ID, e.g. CWE-79' })),
    title: Type.Optional(Text(500)),
    description: Type.String({ minLength: 1, maxLength: 100_000 }),
    reproduction: Type.Optional(Text(100_000)),
    discoveredOn: Type.Optional(Type.String({ format: 'date' })),
    developerContacted: Type.Optional(Type.Boolean()),
    disclosurePlans: Type.Optional(Text(10_000)),
    credit: Type.Optional(FinderCredit),
    finder: Type.Optional(
      Type.Object(
        {
          name: Type.Optional(Text(200)),
          email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
          pgpKey: Type.Optional(Type.String({ maxLength: 100_000, description: 'ASCII-armoured public key' })),
          language: Type.Optional(literals(['ja', 'en'] as const)),
        },
        { additionalProperties: false },
      ),
    ),
    partnerReference: Type.Optional(Type.String({ maxLength: 100, description: "A forwarding partner's own ID for this report" })),
  },
  { additionalProperties: false },
);
export type CreateVulnerabilityReportRequest = Static<typeof CreateVulnerabilityReportRequest>;

export const CreatedVulnerabilityReport = Type.Object({
  id: Uuid,
  reference: Type.String(),
  followUpToken: Type.Union([Type.String(), Type.Null()], { description: 'Shown once: the finder follows the report with it' }),
});

export const VulnerabilityReportSummary = Type.Object({
  id: Uuid,
  reference: Type.String(),
  channel: literals(VULNERABILITY_REPORT_CHANNELS),
  status: literals(VULNERABILITY_REPORT_STATUSES),
  productName: Type.String(),
  developerName: NullableString,
  title: Type.String(),
  receivedAt: Timestamp,
  caseId: Type.Union([Uuid, Type.Null()]),
  caseReference: NullableString,
});

export const VulnerabilityReportDetail = Type.Composite([
  VulnerabilityReportSummary,
  Type.Object({
    productVersion: NullableString,
    vulnerabilityType: NullableString,
    description: Type.String(),
    reproduction: Type.String(),
    discoveredOn: NullableString,
    developerContacted: Type.Union([Type.Boolean(), Type.Null()]),
    disclosurePlans: Type.String(),
    credit: Type.Object({ name: NullableString, organisation: NullableString, anonymous: Type.Boolean() }),
    finder: Type.Object({
      name: NullableString,
      email: NullableString,
      language: Type.Union([literals(['ja', 'en'] as const), Type.Null()]),
      hasPgpKey: Type.Boolean(),
    }),
    forwardedBy: Type.Union([Type.Object({ organisationId: Uuid, name: Type.String(), reference: NullableString }), Type.Null()]),
    declineReason: NullableString,
    decidedAt: NullableTimestamp,
  }),
]);

export const VulnerabilityReportListQuery = Type.Object({
  status: Type.Optional(literals(VULNERABILITY_REPORT_STATUSES)),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
});

export const AcceptVulnerabilityReportRequest = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    titleJa: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    multiParty: Type.Optional(Type.Boolean({ description: 'Several vendors or an international case: public ID JVNVU# rather than JVN#' })),
  },
  { additionalProperties: false },
);
export const DeclineVulnerabilityReportRequest = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 10_000 }) }, { additionalProperties: false });

export const CaseSummary = Type.Object({
  id: Uuid,
  reference: Type.String({ description: 'VU-YYYY-NNNNN' }),
  publicId: NullableString,
  title: Type.String(),
  titleJa: NullableString,
  status: literals(CASE_STATUSES),
  vendorCount: Type.Integer(),
  vulnerabilityCount: Type.Integer(),
  embargoUntil: NullableTimestamp,
  targetPublicationAt: NullableTimestamp,
  createdAt: Timestamp,
  modifiedAt: Timestamp,
  /** Set for a vendor's user: the vendor's own tracking ID for this case. */
  vendorTrackingId: Type.Optional(NullableString),
});

export const CaseVulnerability = Type.Object({
  id: Uuid,
  title: Type.String(),
  titleJa: NullableString,
  description: Type.String(),
  cweId: NullableString,
  cveId: NullableString,
  cvss31Vector: NullableString,
  cvss31Score: Type.Union([Type.Number(), Type.Null()]),
  cvss40Vector: NullableString,
  cvss40Score: Type.Union([Type.Number(), Type.Null()]),
  modifiedAt: Timestamp,
});

export const CaseParticipant = Type.Object({
  id: Uuid,
  role: literals(PARTICIPANT_ROLES),
  organisationId: Type.Union([Uuid, Type.Null()]),
  name: Type.String(),
  contactStartedAt: NullableTimestamp,
  sharedAt: NullableTimestamp,
  unreachableAt: NullableTimestamp,
  trackingId: NullableString,
});

export const VendorStatusRow = Type.Object({
  vulnerabilityId: Uuid,
  organisationId: Uuid,
  productName: Type.String({ description: "Empty: the vendor's answer for all its products" }),
  status: literals(VENDOR_STATUSES),
  justification: Type.Union([literals(VEX_JUSTIFICATIONS), Type.Null()]),
  fixedVersions: Type.String(),
  statement: Type.String(),
  statementJa: Type.String(),
  references: Type.Array(Type.String()),
  setBy: NullableString,
  setAt: NullableTimestamp,
});

export const Embargo = Type.Object({
  id: Uuid,
  releaseAt: Timestamp,
  state: literals(EMBARGO_STATES),
  reason: Type.String(),
  proposedBy: Type.String(),
  proposedAt: Timestamp,
  decisions: Type.Array(
    Type.Object({ organisationId: Type.Union([Uuid, Type.Null()]), name: Type.String(), decision: literals(EMBARGO_DECISIONS), at: Timestamp }),
  ),
});

export const CaseDetail = Type.Composite([
  CaseSummary,
  Type.Object({
    summary: Type.String(),
    multiParty: Type.Boolean(),
    reportId: Type.Union([Uuid, Type.Null()]),
    vulnerabilities: Type.Array(CaseVulnerability),
    participants: Type.Array(CaseParticipant),
    statuses: Type.Array(VendorStatusRow),
    embargoes: Type.Array(Embargo),
  }),
]);

export const CaseListQuery = Type.Object({
  status: Type.Optional(literals(CASE_STATUSES)),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'Only cases modified after this instant (change feed)' })),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
});

export const AddVendorRequest = Type.Object(
  {
    organisationId: Uuid,
    /** Mark contact as begun now (the day 起算日 counts from); otherwise when the vendor is first notified. */
    contactStarted: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/**
 * A participant who is not a vendor: a partner coordinator (an organisation of kind csirt, e.g. CERT/CC or
 * another national team, which then reads every vendor's statuses) or the finder's organisation.
 */
export const AddParticipantRequest = Type.Object(
  {
    role: literals(['coordinator', 'finder'] as const),
    organisationId: Uuid,
  },
  { additionalProperties: false },
);
export type AddParticipantRequest = Static<typeof AddParticipantRequest>;

export const CreateVulnerabilityRequest = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 500 }),
    titleJa: Type.Optional(Text(500)),
    description: Type.Optional(Text(100_000)),
    cweId: Type.Optional(Type.String({ maxLength: 40 })),
    cvss31Vector: Type.Optional(Type.String({ maxLength: 512 })),
    cvss40Vector: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const SetStatusesRequest = Type.Object(
  {
    statuses: Type.Array(
      Type.Object(
        {
          vulnerabilityId: Uuid,
          /** The vendor; a vendor's user may leave it out (its own organisation). */
          organisationId: Type.Optional(Uuid),
          productName: Type.Optional(Text(300)),
          status: literals(VENDOR_STATUSES),
          justification: Type.Optional(Type.Union([literals(VEX_JUSTIFICATIONS), Type.Null()])),
          fixedVersions: Type.Optional(Text(2_000)),
          statement: Type.Optional(Text(20_000)),
          statementJa: Type.Optional(Text(20_000)),
          references: Type.Optional(Type.Array(Type.String({ maxLength: 2_000 }), { maxItems: 50 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1_000 },
    ),
  },
  { additionalProperties: false },
);
export type SetStatusesRequest = Static<typeof SetStatusesRequest>;

export const ProposeEmbargoRequest = Type.Object(
  {
    releaseAt: Type.String({ format: 'date-time', description: 'The exact instant, to the minute; stored UTC' }),
    reason: Type.Optional(Text(5_000)),
  },
  { additionalProperties: false },
);
export const EmbargoDecisionRequest = Type.Object(
  { decision: literals(EMBARGO_DECISIONS), comment: Type.Optional(Text(5_000)) },
  { additionalProperties: false },
);

export const CasePage = Page(CaseSummary);
export const VulnerabilityReportPage = Page(VulnerabilityReportSummary);

export type CaseSummary = Static<typeof CaseSummary>;
export type CaseDetail = Static<typeof CaseDetail>;
export type CaseVulnerability = Static<typeof CaseVulnerability>;
export type CaseParticipant = Static<typeof CaseParticipant>;
export type VendorStatusRow = Static<typeof VendorStatusRow>;
export type Embargo = Static<typeof Embargo>;
export type VulnerabilityReportSummary = Static<typeof VulnerabilityReportSummary>;
export type VulnerabilityReportDetail = Static<typeof VulnerabilityReportDetail>;

export const CaseMessage = Type.Object({
  id: Uuid,
  privateTo: Type.Union([Uuid, Type.Null()], { description: 'NULL: the case thread; set: the private thread with that participant' }),
  vulnerabilityId: Type.Union([Uuid, Type.Null()]),
  productName: Type.String(),
  author: Type.String({ description: "'team', the author's organisation, or 'participant' when the reader may not know who" }),
  mine: Type.Boolean(),
  /** Written by someone else after the reader last marked the case seen (or never did). */
  unread: Type.Boolean(),
  body: Type.String(),
  createdAt: Timestamp,
});
export type CaseMessage = Static<typeof CaseMessage>;

export const PostCaseMessageRequest = Type.Object(
  {
    body: Type.String({ minLength: 1, maxLength: 100_000 }),
    privateTo: Type.Optional(Type.String({ format: 'uuid', description: 'Team only: a participant id, for a private message to it' })),
    private: Type.Optional(Type.Boolean({ description: 'A participant: a private message to the team' })),
    vulnerabilityId: Type.Optional(Type.String({ format: 'uuid' })),
    productName: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
);

export const ChangedCase = Type.Object({
  id: Uuid,
  reference: Type.String(),
  title: Type.String(),
  titleJa: NullableString,
  status: literals(CASE_STATUSES),
  modifiedAt: Timestamp,
  seenAt: NullableTimestamp,
});
export type ChangedCase = Static<typeof ChangedCase>;

/** A fixed label in both languages the product speaks. */
export interface JaEnLabel {
  ja: string;
  en: string;
}

/**
 * The words for each vendor status, the one copy server and staff app both read. The Japanese labels
 * are the wording JVN publishes.
 */
export const VENDOR_STATUS_LABELS: Readonly<Record<VendorStatus, JaEnLabel>> = {
  not_notified: { ja: '未通知', en: 'Not notified' },
  notified_no_answer: { ja: '通知済み・回答なし', en: 'Notified, no answer' },
  unknown: { ja: '不明', en: 'Unknown' },
  vulnerable: { ja: '該当製品あり', en: 'Vulnerable' },
  vulnerable_investigating: { ja: '該当製品あり（調査中）', en: 'Vulnerable (investigating)' },
  not_vulnerable: { ja: '該当製品なし', en: 'Not vulnerable' },
  not_vulnerable_investigating: { ja: '該当製品なし（調査中）', en: 'Not vulnerable (investigating)' },
  unreachable: { ja: '連絡不能', en: 'Unreachable' },
};

/**
 * Why a product is not affected: the CSAF 2.0 flag labels (OpenVEX uses the same names). CSAF defines
 * English only; the Japanese labels are this project's, for staff to correct.
 */
export const VEX_JUSTIFICATION_LABELS: Readonly<Record<VexJustification, JaEnLabel>> = {
  component_not_present: { ja: '該当コンポーネントを含まない', en: 'Component not present' },
  vulnerable_code_not_present: { ja: '脆弱なコードを含まない', en: 'Vulnerable code not present' },
  vulnerable_code_cannot_be_controlled_by_adversary: { ja: '脆弱なコードを攻撃者が制御できない', en: 'Vulnerable code cannot be controlled by adversary' },
  vulnerable_code_not_in_execute_path: { ja: '脆弱なコードが実行されない', en: 'Vulnerable code not in execute path' },
  inline_mitigations_already_exist: { ja: '緩和策が組み込まれている', en: 'Inline mitigations already exist' },
};

/** A file of a finder's report (proof of concept); downloaded only as an opaque attachment. */
export const VulnerabilityReportAttachment = Type.Object({
  position: Type.Integer({ minimum: 0 }),
  filename: Type.String({ description: 'As the finder named it: untrusted, display escaped' }),
  contentType: Type.String({ description: "As the finder's client declared it; the download is always application/octet-stream" }),
  size: Type.Integer({ minimum: 0 }),
  sha256: Type.String(),
});
export type VulnerabilityReportAttachment = Static<typeof VulnerabilityReportAttachment>;
