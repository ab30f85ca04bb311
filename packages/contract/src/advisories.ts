import { type Static, Type } from '@sinclair/typebox';
import { Timestamp, Uuid } from './common.ts';

/**
 * A case's advisory on its way to publication, in JVN's sections and in both languages: revisions (each
 * kept), a publisher's approval, the participants' preview, and the frozen record handed on at
 * publication (the public portal reads that record; it is not built here).
 */

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((value) => Type.Literal(value)));

export const ADVISORY_REVISION_STATES = ['draft', 'approved', 'superseded', 'published'] as const;
export type AdvisoryRevisionState = (typeof ADVISORY_REVISION_STATES)[number];
export const ADVISORY_LANGUAGES = ['ja', 'en'] as const;

/** Limits of an edited advisory: one text section, one line of a list, and the whole document. */
export const ADVISORY_LIMITS = { text: 50_000, line: 2_000, items: 500, documentBytes: 512 * 1024 } as const;

const Text = Type.String({ maxLength: ADVISORY_LIMITS.text });
const Line = Type.String({ maxLength: ADVISORY_LIMITS.line });
const list = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Array(item, { maxItems: ADVISORY_LIMITS.items });

/** One row of the vendor information table: a vendor's status for one vulnerability and product. */
export const AdvisoryVendorRow = Type.Object({
  /** The directory's organisation; null for a row the team typed in. */
  organisationId: Type.Union([Uuid, Type.Null()]),
  vendor: Line,
  vulnerability: Line,
  product: Line,
  status: Line,
  statusLabel: Line,
  fixedVersions: Line,
  statement: Text,
});

export const AdvisoryCvss = Type.Object({
  vulnerability: Line,
  version: Type.String({ maxLength: 8 }),
  vector: Type.String({ maxLength: 512 }),
  score: Type.Union([Type.Number({ minimum: 0, maximum: 10 }), Type.Null()]),
});

export const AdvisoryCwe = Type.Object({ vulnerability: Line, id: Type.String({ maxLength: 32 }), name: Line });

export const AdvisoryReference = Type.Object({ title: Line, url: Line });

export const AdvisoryHistoryEntry = Type.Object({ date: Type.String({ maxLength: 32 }), note: Line });

/** JVN's sections in one language. Text is plain text: markup is kept as characters, never rendered. */
export const AdvisorySections = Type.Object({
  title: Line,
  overview: Text,
  affectedProducts: list(Line),
  description: Text,
  impact: Text,
  solution: Text,
  vendorInformation: list(AdvisoryVendorRow),
  references: list(AdvisoryReference),
  coordinatorNotes: Text,
  cvss: list(AdvisoryCvss),
  cwe: list(AdvisoryCwe),
  credit: Text,
  history: list(AdvisoryHistoryEntry),
});
export type AdvisorySections = Static<typeof AdvisorySections>;

export const AdvisoryContent = Type.Object({ ja: AdvisorySections, en: AdvisorySections });
export type AdvisoryContent = Static<typeof AdvisoryContent>;

export const AdvisoryRevision = Type.Object({
  number: Type.Integer({ minimum: 1 }),
  state: literals(ADVISORY_REVISION_STATES),
  content: AdvisoryContent,
  note: Type.String(),
  authorId: Type.Union([Uuid, Type.Null()]),
  /** The author's display name in the advisory view and a revision read; null elsewhere (the answer to a change) or for a removed user. */
  authorName: Type.Union([Type.String(), Type.Null()]),
  approvedBy: Type.Union([Uuid, Type.Null()]),
  /** The approver's display name, as `authorName`. */
  approvedByName: Type.Union([Type.String(), Type.Null()]),
  approvedAt: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
});
export type AdvisoryRevision = Static<typeof AdvisoryRevision>;

/** The revisions without their content, newest first. */
export const AdvisoryRevisionSummary = Type.Omit(AdvisoryRevision, ['content']);

export const AdvisoryView = Type.Object({
  caseId: Uuid,
  latest: AdvisoryRevision,
  revisions: Type.Array(AdvisoryRevisionSummary),
});
export type AdvisoryView = Static<typeof AdvisoryView>;

export const ReviseAdvisoryRequest = Type.Object(
  {
    content: AdvisoryContent,
    /** What changed, for the history of revisions (not published). */
    note: Type.Optional(Type.String({ maxLength: ADVISORY_LIMITS.line })),
  },
  { additionalProperties: false },
);
export type ReviseAdvisoryRequest = Static<typeof ReviseAdvisoryRequest>;

/** What a participant sees before publication: the approved revision, or else the latest draft. */
export const AdvisoryPreview = Type.Object({
  caseId: Uuid,
  number: Type.Integer({ minimum: 1 }),
  state: literals(ADVISORY_REVISION_STATES),
  content: AdvisoryContent,
});
export type AdvisoryPreview = Static<typeof AdvisoryPreview>;

export const ReleaseEarlyRequest = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 5_000 }), exploitationSeen: Type.Boolean() },
  { additionalProperties: false },
);
export type ReleaseEarlyRequest = Static<typeof ReleaseEarlyRequest>;

export const ReleaseEarlyResult = Type.Object({
  embargoId: Uuid,
  published: Type.Boolean(),
  /** Participants told (one message queued per shared participant's address). */
  notified: Type.Integer({ minimum: 0 }),
});

/** Why a case is not published yet, as the team sees it. */
export const PUBLICATION_BLOCKERS = ['no_agreed_embargo', 'not_due', 'no_approved_revision'] as const;

export const Publication = Type.Object({
  caseId: Uuid,
  published: Type.Boolean(),
  publicId: Type.Union([Type.String(), Type.Null()]),
  publishedAt: Type.Union([Timestamp, Type.Null()]),
  revision: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  /** The frozen advisory handed to the public portal; null until published. */
  document: Type.Union([AdvisoryContent, Type.Null()]),
  /** Before publication: the instant it is due, and what stands in its way (empty when nothing does). */
  dueAt: Type.Union([Timestamp, Type.Null()]),
  blockers: Type.Array(literals(PUBLICATION_BLOCKERS)),
});
export type Publication = Static<typeof Publication>;
