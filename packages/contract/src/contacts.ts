import { type Static, Type } from '@sinclair/typebox';
import { Timestamp, Uuid } from './common.ts';
import { TLP_LEVELS } from './tlp.ts';

export const ORGANISATION_KINDS = ['csirt', 'isp', 'vendor', 'subscriber', 'government', 'other'] as const;
export const REPORT_FORMATS = ['csv', 'xarf', 'text'] as const;
export const PGP_POLICIES = ['required', 'preferred', 'never'] as const;
export const NETWORK_KINDS = ['asn', 'ipv4', 'ipv6', 'domain'] as const;
/** FIRST global-irt `cert-type` vocabulary. */
export const CERT_TYPES = [
  'NREN',
  'PSIRT',
  'national',
  'national-responsibility',
  'sector',
  'government',
  'enterprise',
  'PIRT',
  'publicly-funded',
  'commercial',
] as const;
/** Key health: expired, expires within 30 days, revoked, carries no address it is attached to, has no usable encryption key. */
export const KEY_WARNINGS = ['expired', 'expires_soon', 'revoked', 'address_mismatch', 'cannot_encrypt'] as const;

export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export type PgpPolicy = (typeof PGP_POLICIES)[number];
export type NetworkKind = (typeof NETWORK_KINDS)[number];
export type KeyWarning = (typeof KEY_WARNINGS)[number];

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((value) => Type.Literal(value)));

const Text = (maxLength: number) => Type.String({ maxLength });
/** One line of text: names end up in mail headers (From:, salutations), so line breaks and other controls are refused. */
const SingleLine = (maxLength: number, minLength = 1) => Type.String({ minLength, maxLength, pattern: '^[^\\u0000-\\u001F\\u007F]*$' });
const Country = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2, upper case' });
const Language = Type.String({ pattern: '^[a-z]{2,3}$', description: 'ISO 639-1 (or 639-2) code, lower case' });
const Email = Type.String({ format: 'email', maxLength: 254 });
const Phone = Type.String({ maxLength: 64, pattern: '^[0-9+()./ #*x-]*$' });
const WebAddress = Type.String({ maxLength: 2000, pattern: '^https?://[^\\s]+$' });
/** Free text a person reads, in English and Japanese (either may be missing). */
export const LocalisedText = Type.Object({ en: Type.Optional(Text(20_000)), ja: Type.Optional(Text(20_000)) }, { additionalProperties: false });
export type LocalisedText = Static<typeof LocalisedText>;

/**
 * A CSIRT's directory profile: the FIRST team-directory (global-irt) fields and the RFC 2350 sections.
 * Stored as `organisations.csirt_profile`; untrusted input when it arrives by import.
 */
export const CsirtProfile = Type.Object(
  {
    shortTeamName: Type.Optional(Text(100)),
    officialTeamName: Type.Optional(Text(300)),
    hostOrganisation: Type.Optional(Text(300)),
    parentOrganisation: Type.Optional(Text(300)),
    postalAddress: Type.Optional(Text(1000)),
    additionalCountryCodes: Type.Optional(Type.Array(Country, { maxItems: 300 })),
    websites: Type.Optional(Type.Array(WebAddress, { maxItems: 20 })),
    phoneNumbers: Type.Optional(Type.Array(Phone, { maxItems: 20 })),
    faxNumbers: Type.Optional(Type.Array(Phone, { maxItems: 20 })),
    establishment: Type.Optional(Type.String({ pattern: '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$' })),
    /** Fingerprints (or key IDs) the team publishes, as FIRST lists them; keys we hold are in pgp_keys. */
    enckeys: Type.Optional(Type.Array(Type.String({ pattern: '^(0x)?[0-9A-Fa-f]{8,64}$' }), { maxItems: 20 })),
    operatingHours: Type.Optional(LocalisedText),
    constituency: Type.Optional(Text(500)),
    constituencyCode: Type.Optional(Text(50)),
    constituencyDescription: Type.Optional(LocalisedText),
    certTypes: Type.Optional(Type.Array(literals(CERT_TYPES), { maxItems: 10 })),
    firstMemberType: Type.Optional(Type.Union([Type.Literal('Full Member'), Type.Literal('Liaison')])),
    /** Forums the team belongs to, e.g. FIRST, APCERT, TF-CSIRT. */
    memberOf: Type.Optional(Type.Array(Text(100), { maxItems: 20 })),
    // RFC 2350 sections without a FIRST field.
    mission: Type.Optional(LocalisedText),
    authority: Type.Optional(LocalisedText),
    incidentTypes: Type.Optional(LocalisedText),
    cooperation: Type.Optional(LocalisedText),
    communication: Type.Optional(LocalisedText),
    services: Type.Optional(LocalisedText),
    reportingForms: Type.Optional(LocalisedText),
    disclaimers: Type.Optional(LocalisedText),
    /** The disclosure policy page (security.txt `Policy`); when absent the RFC 2350 document is named. */
    policyUrl: Type.Optional(WebAddress),
  },
  { additionalProperties: false },
);
export type CsirtProfile = Static<typeof CsirtProfile>;

const organisationFields = {
  name: SingleLine(300),
  nameJa: Type.Union([SingleLine(300), Type.Null()]),
  kind: literals(ORGANISATION_KINDS),
  contactEmail: Type.Union([Email, Type.Null()]),
  contactPhone: Type.Union([Phone, Type.Null()]),
  website: Type.Union([WebAddress, Type.Null()]),
  country: Type.Union([Country, Type.Null()]),
  languages: Type.Array(Language, { maxItems: 10 }),
  timeZone: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()]),
  preferredFormat: literals(REPORT_FORMATS),
  tlpCeiling: literals(TLP_LEVELS),
  pgpPolicy: literals(PGP_POLICIES),
  notes: Type.Union([Text(20_000), Type.Null()]),
  contactConfirmedAt: Type.Union([Timestamp, Type.Null()]),
  csirtProfile: Type.Union([CsirtProfile, Type.Null()]),
  isNationalCsirt: Type.Boolean(),
};

export const Organisation = Type.Object({ id: Uuid, isSelf: Type.Boolean(), ...organisationFields, createdAt: Timestamp, updatedAt: Timestamp });
export type Organisation = Static<typeof Organisation>;

export const OrganisationSummary = Type.Object({
  id: Uuid,
  name: Type.String(),
  nameJa: Type.Union([Type.String(), Type.Null()]),
  kind: literals(ORGANISATION_KINDS),
  country: Type.Union([Type.String(), Type.Null()]),
  contactEmail: Type.Union([Type.String(), Type.Null()]),
  isNationalCsirt: Type.Boolean(),
  isSelf: Type.Boolean(),
  /** What the search matched beyond the name, e.g. "asn 64500" or "domain example.jp". */
  matched: Type.Union([Type.String(), Type.Null()]),
});
export type OrganisationSummary = Static<typeof OrganisationSummary>;

export const CreateOrganisationRequest = Type.Composite(
  [Type.Object({ name: organisationFields.name, kind: organisationFields.kind }), Type.Partial(Type.Omit(Type.Object(organisationFields), ['name', 'kind']))],
  { additionalProperties: false },
);
export type CreateOrganisationRequest = Static<typeof CreateOrganisationRequest>;

export const UpdateOrganisationRequest = Type.Partial(Type.Object(organisationFields), { additionalProperties: false });
export type UpdateOrganisationRequest = Static<typeof UpdateOrganisationRequest>;

export const SearchOrganisationsQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Name (en/ja), domain, AS number (AS64500 or 64500), IP address or e-mail address' })),
  kind: Type.Optional(literals(ORGANISATION_KINDS)),
  country: Type.Optional(Country),
  offset: Type.Integer({ minimum: 0, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
});

const personFields = {
  name: SingleLine(300),
  nameJa: Type.Union([SingleLine(300), Type.Null()]),
  roleTitle: Type.Union([SingleLine(300, 0), Type.Null()]),
  email: Type.Union([Email, Type.Null()]),
  phone: Type.Union([Phone, Type.Null()]),
  emergencyPhone: Type.Union([Phone, Type.Null()]),
  isRoleAddress: Type.Boolean(),
  languages: Type.Array(Language, { maxItems: 10 }),
  notes: Type.Union([Text(20_000), Type.Null()]),
};

export const Person = Type.Object({ id: Uuid, organisationId: Uuid, ...personFields, createdAt: Timestamp, updatedAt: Timestamp });
export type Person = Static<typeof Person>;
export const CreatePersonRequest = Type.Composite([Type.Object({ name: personFields.name }), Type.Partial(Type.Omit(Type.Object(personFields), ['name']))], {
  additionalProperties: false,
});
export type CreatePersonRequest = Static<typeof CreatePersonRequest>;
export const UpdatePersonRequest = Type.Partial(Type.Object(personFields), { additionalProperties: false });
export type UpdatePersonRequest = Static<typeof UpdatePersonRequest>;

export const Network = Type.Object({
  id: Uuid,
  organisationId: Uuid,
  kind: literals(NETWORK_KINDS),
  value: Type.String(),
  abuseEmail: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
});
export type Network = Static<typeof Network>;
export const CreateNetworkRequest = Type.Object(
  {
    kind: Type.Optional(literals(NETWORK_KINDS)),
    value: Type.String({ minLength: 1, maxLength: 300, description: 'AS64500, 192.0.2.0/24, 2001:db8::/32 or example.jp; the kind is inferred when omitted' }),
    abuseEmail: Type.Optional(Type.Union([Email, Type.Null()])),
  },
  { additionalProperties: false },
);
export type CreateNetworkRequest = Static<typeof CreateNetworkRequest>;

export const PgpKey = Type.Object({
  id: Uuid,
  organisationId: Type.Union([Uuid, Type.Null()]),
  personId: Type.Union([Uuid, Type.Null()]),
  fingerprint: Type.String(),
  userIds: Type.Array(Type.String()),
  emails: Type.Array(Type.String()),
  algorithm: Type.String(),
  bits: Type.Union([Type.Integer(), Type.Null()]),
  createdAtKey: Timestamp,
  expiresAt: Type.Union([Timestamp, Type.Null()]),
  revokedAt: Type.Union([Timestamp, Type.Null()]),
  isInstanceKey: Type.Boolean(),
  importedAt: Timestamp,
  /** Empty = healthy. */
  warnings: Type.Array(literals(KEY_WARNINGS)),
  armored: Type.String({ description: 'The public key only' }),
});
export type PgpKey = Static<typeof PgpKey>;

export const ImportKeysRequest = Type.Object(
  {
    armored: Type.String({ minLength: 1, maxLength: 256 * 1024, description: 'One or more ASCII-armored OpenPGP public keys' }),
    organisationId: Type.Optional(Uuid),
    personId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type ImportKeysRequest = Static<typeof ImportKeysRequest>;
export const ImportKeysResponse = Type.Object({ keys: Type.Array(PgpKey), created: Type.Integer(), updated: Type.Integer() });

/** What the last delivery status notification (DSN, RFC 3464) for our mail said about an address; a DSN's `failed` is recorded as `bounced`. */
export const ADDRESS_DELIVERY_STATUSES = ['delivered', 'delayed', 'failed', 'bounced'] as const;
export type AddressDeliveryState = (typeof ADDRESS_DELIVERY_STATUSES)[number];
export const AddressDeliveryStatus = Type.Object({
  address: Type.String(),
  lastStatus: literals(ADDRESS_DELIVERY_STATUSES),
  lastDetail: Type.Union([Type.String(), Type.Null()], { description: 'The DSN status code and diagnostic, e.g. "5.1.1 smtp; 550 User unknown"' }),
  bounceCount: Type.Integer({ description: 'Bounces recorded for the address so far' }),
  updatedAt: Timestamp,
});
export type AddressDeliveryStatus = Static<typeof AddressDeliveryStatus>;

export const OrganisationDetail = Type.Object({
  organisation: Organisation,
  people: Type.Array(Person),
  networks: Type.Array(Network),
  keys: Type.Array(PgpKey),
  deliveryStatus: Type.Array(AddressDeliveryStatus, {
    description: 'Delivery reports (DSNs) on record for the addresses on this page: contact, people, abuse addresses. An address with none is absent.',
  }),
});
export type OrganisationDetail = Static<typeof OrganisationDetail>;

export const CsvImportRequest = Type.Object(
  {
    csv: Type.String({ minLength: 1, maxLength: 2 * 1024 * 1024 }),
    commit: Type.Boolean({ default: false, description: 'false = dry run: report what would happen, change nothing' }),
  },
  { additionalProperties: false },
);
export const DirectoryImportLine = Type.Object({
  line: Type.Integer({ description: 'CSV line number (1 = header), or 1-based team index for JSON' }),
  action: Type.Union([Type.Literal('create'), Type.Literal('update'), Type.Literal('reject')]),
  name: Type.Union([Type.String(), Type.Null()]),
  organisationId: Type.Union([Uuid, Type.Null()]),
  changes: Type.Array(Type.String(), { description: 'Fields that would change, and networks that would be added' }),
  errors: Type.Array(Type.String()),
});
export type DirectoryImportLine = Static<typeof DirectoryImportLine>;
export const DirectoryImportReport = Type.Object({
  committed: Type.Boolean(),
  created: Type.Integer(),
  updated: Type.Integer(),
  rejected: Type.Integer(),
  lines: Type.Array(DirectoryImportLine),
});
export type DirectoryImportReport = Static<typeof DirectoryImportReport>;
export const TeamDirectoryImportRequest = Type.Object(
  {
    teams: Type.Unknown({ description: 'FIRST team-directory JSON: an array of teams, or an envelope with `data`' }),
    commit: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);
