import { type Static, Type } from '@sinclair/typebox';
import { Page, Timestamp, Uuid } from './common.ts';
import { CASE_STATUSES, CONTACT_CHANNELS, CONTACT_OUTCOMES } from './vulnerabilities.ts';

/**
 * The coordinator's back office of vulnerability cases: the product-developer registry and its vendor
 * proposals, the pool of reserved CVE IDs, contact attempts and unreachable developers, the dates dashboard.
 */

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((value) => Type.Literal(value)));
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

const ProductFields = {
  name: Type.String({ minLength: 1, maxLength: 300 }),
  aliases: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 50 })),
  cpes: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { maxItems: 200, description: 'CPE 2.3 formatted strings (or 2.2 URIs), patterns allowed' }),
  ),
  purls: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), { maxItems: 200, description: 'Package URLs; without a version = any version' }),
  ),
  keywords: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
};

export const CreateVendorProductRequest = Type.Object(
  {
    organisationId: Type.Optional(Type.String({ format: 'uuid', description: "The vendor; a vendor's user may leave it out (its own organisation)" })),
    ...ProductFields,
  },
  { additionalProperties: false },
);
export type CreateVendorProductRequest = Static<typeof CreateVendorProductRequest>;

export const UpdateVendorProductRequest = Type.Partial(Type.Object(ProductFields), { additionalProperties: false });
export type UpdateVendorProductRequest = Static<typeof UpdateVendorProductRequest>;

export const VendorProduct = Type.Object({
  id: Uuid,
  organisationId: Uuid,
  vendorName: Type.String(),
  name: Type.String(),
  aliases: Type.Array(Type.String()),
  cpes: Type.Array(Type.String({ description: 'Normalised CPE 2.3 formatted string' })),
  purls: Type.Array(Type.String({ description: 'Normalised package URL' })),
  keywords: Type.Array(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type VendorProduct = Static<typeof VendorProduct>;

export const VendorProductListQuery = Type.Object({
  organisationId: Type.Optional(Uuid),
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Part of the product name' })),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
});
export const VendorProductPage = Page(VendorProduct);

export const VendorProposalItem = Type.Object({
  organisationId: Uuid,
  vendorName: Type.String(),
  score: Type.Integer(),
  reasons: Type.Array(
    Type.Object({
      kind: literals(['cpe', 'purl', 'product_name', 'vendor_name', 'keyword'] as const),
      detail: Type.String({ description: 'What matched what, in words' }),
      productId: Uuid,
      weight: Type.Integer(),
    }),
  ),
});
export const VendorProposalList = Type.Object({
  items: Type.Array(VendorProposalItem),
  /** Registry entries that did not parse (skipped from matching). */
  skippedEntries: Type.Integer(),
});
export type VendorProposalList = Static<typeof VendorProposalList>;

export const AssignedCve = Type.Object({
  vulnerabilityId: Uuid,
  cveId: Type.String(),
  assignedAt: Timestamp,
  /** False when the vulnerability already had this ID (the call is idempotent). */
  newlyAssigned: Type.Boolean(),
});
export const CvePoolSummary = Type.Object({ free: Type.Integer(), assigned: Type.Integer(), nextFree: Type.Union([Type.String(), Type.Null()]) });

export const CreateContactAttemptRequest = Type.Object(
  {
    channel: literals(CONTACT_CHANNELS),
    outcome: literals(CONTACT_OUTCOMES),
    note: Type.Optional(Type.String({ maxLength: 10_000 })),
    attemptedAt: Type.Optional(Type.String({ format: 'date-time', description: 'When it happened; now by default' })),
  },
  { additionalProperties: false },
);
export const ContactAttempt = Type.Object({
  id: Type.Integer(),
  participantId: Uuid,
  organisationId: Uuid,
  channel: literals(CONTACT_CHANNELS),
  outcome: literals(CONTACT_OUTCOMES),
  note: Type.String(),
  mailMessageId: Type.Union([Uuid, Type.Null()]),
  recordedBy: Type.Union([Uuid, Type.Null()]),
  attemptedAt: Timestamp,
});
export type ContactAttempt = Static<typeof ContactAttempt>;

export const AnnounceUnreachableRequest = Type.Object(
  { announcedAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the name is announced; now by default' })) },
  { additionalProperties: false },
);
export const UnreachableDeveloper = Type.Object({
  caseId: Uuid,
  caseReference: Type.String(),
  participantId: Uuid,
  organisationId: Uuid,
  vendorName: Type.String(),
  firstContactAt: NullableTimestamp,
  attempts: Type.Integer(),
  declaredAt: Timestamp,
  /** Set by the team: the name is announced on the public list. */
  publishable: Type.Boolean(),
  announcedAt: NullableTimestamp,
  /** announcedAt + the configured wait: the earliest the case may be published without this developer. */
  earliestPublicationAt: NullableTimestamp,
});
export const UnreachableDeveloperList = Type.Object({ items: Type.Array(UnreachableDeveloper) });

export const CaseDashboardQuery = Type.Object({
  format: Type.Optional(literals(['json', 'csv'] as const)),
  /** With format=csv: the open cases (default) or the medians per fiscal quarter. */
  table: Type.Optional(literals(['cases', 'quarters'] as const)),
});
export const CaseDashboardRow = Type.Object({
  caseId: Uuid,
  reference: Type.String(),
  title: Type.String(),
  status: literals(CASE_STATUSES),
  firstContactAt: NullableTimestamp,
  /** Whole days since the first 起算日; null = no vendor contacted yet. */
  daysElapsed: Type.Union([Type.Integer(), Type.Null()]),
  targetPublicationAt: NullableTimestamp,
  /** Whole days until the target (negative once past); null = no target yet. */
  daysToTarget: Type.Union([Type.Integer(), Type.Null()]),
  pastTarget: Type.Boolean(),
});
export const CaseDashboard = Type.Object({
  openCases: Type.Array(CaseDashboardRow),
  /** Median days from the first 起算日 to publication, per fiscal quarter of publication. */
  quarters: Type.Array(Type.Object({ quarter: Type.String({ description: 'FY2026-Q1' }), published: Type.Integer(), medianDays: Type.Number() })),
});
export type CaseDashboard = Static<typeof CaseDashboard>;
