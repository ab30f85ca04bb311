import { type Kysely, type Selectable, sql } from 'kysely';
import {
  type AddressDeliveryState,
  type CsirtProfile,
  type NetworkKind,
  type OrganisationKind,
  type PgpPolicy,
  type ReportFormat,
  type TlpLevel,
  ORGANISATION_KINDS,
  PGP_POLICIES,
  REPORT_FORMATS,
  TLP_LEVELS,
  NETWORK_KINDS,
} from '@renkei/contract';
import { ALL, type Scope, scopeWhere } from '../policy/scope.ts';
import type { Schema } from '../db/schema/index.ts';
import { NotFoundError } from '../kernel/errors.ts';
import type { OrganisationNetworksTable } from '../db/schema/organisation-networks.ts';
import type { OrganisationsTable } from '../db/schema/organisations.ts';
import type { PeopleTable } from '../db/schema/people.ts';
import type { PgpKeysTable } from '../db/schema/pgp-keys.ts';

export type OrganisationRow = Selectable<OrganisationsTable>;
export type PersonRow = Selectable<PeopleTable>;
export type PgpKeyRow = Selectable<PgpKeysTable>;
export type NetworkRow = Selectable<OrganisationNetworksTable>;

export interface OrganisationModel {
  id: string;
  name: string;
  nameJa: string | null;
  kind: OrganisationKind;
  isSelf: boolean;
  contactEmail: string | null;
  contactPhone: string | null;
  website: string | null;
  country: string | null;
  languages: string[];
  timeZone: string | null;
  preferredFormat: ReportFormat;
  tlpCeiling: TlpLevel;
  pgpPolicy: PgpPolicy;
  notes: string | null;
  contactConfirmedAt: Date | null;
  csirtProfile: CsirtProfile | null;
  isNationalCsirt: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface PersonModel {
  id: string;
  organisationId: string;
  name: string;
  nameJa: string | null;
  roleTitle: string | null;
  email: string | null;
  phone: string | null;
  emergencyPhone: string | null;
  isRoleAddress: boolean;
  languages: string[];
  notes: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NetworkModel {
  id: string;
  organisationId: string;
  kind: NetworkKind;
  value: string;
  abuseEmail: string | null;
  createdAt: Date;
}

export interface PgpKeyModel {
  id: string;
  organisationId: string | null;
  personId: string | null;
  fingerprint: string;
  armored: string;
  userIds: string[];
  emails: string[];
  algorithm: string;
  bits: number | null;
  createdAtKey: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  isInstanceKey: boolean;
  importedAt: Date;
}

const oneOf = <T extends string>(values: readonly T[], value: string, fallback: T): T =>
  (values as readonly string[]).includes(value) ? (value as T) : fallback;

export function organisationRowToModel(row: OrganisationRow): OrganisationModel {
  return {
    id: row.id,
    name: row.name,
    nameJa: row.name_ja,
    kind: oneOf(ORGANISATION_KINDS, row.kind, 'other'),
    isSelf: row.is_self,
    contactEmail: row.contact_email,
    contactPhone: row.contact_phone,
    website: row.website,
    country: row.country,
    languages: row.languages,
    timeZone: row.time_zone,
    preferredFormat: oneOf(REPORT_FORMATS, row.preferred_format, 'text'),
    tlpCeiling: oneOf(TLP_LEVELS, row.tlp_ceiling, 'clear'),
    pgpPolicy: oneOf(PGP_POLICIES, row.pgp_policy, 'preferred'),
    notes: row.notes,
    contactConfirmedAt: row.contact_confirmed_at,
    csirtProfile: (row.csirt_profile as CsirtProfile | null) ?? null,
    isNationalCsirt: row.is_national_csirt,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** One organisation the scope lets the reader see, or 404 `organisation_not_found` (absent and hidden alike). */
export async function loadOrganisation(executor: Kysely<Schema>, id: string, scope: Scope = ALL): Promise<OrganisationModel> {
  const row = await executor
    .selectFrom('organisations')
    .selectAll()
    .where('id', '=', id)
    .where(scopeWhere(scope, { organisation: sql.ref('id') }))
    .executeTakeFirst();
  if (!row) throw new NotFoundError('organisation_not_found', 'No such organisation');
  return organisationRowToModel(row);
}

export function personRowToModel(row: PersonRow): PersonModel {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    name: row.name,
    nameJa: row.name_ja,
    roleTitle: row.role_title,
    email: row.email,
    phone: row.phone,
    emergencyPhone: row.emergency_phone,
    isRoleAddress: row.is_role_address,
    languages: row.languages,
    notes: row.notes,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function networkRowToModel(row: NetworkRow): NetworkModel {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    kind: oneOf(NETWORK_KINDS, row.kind, 'domain'),
    value: row.value,
    abuseEmail: row.abuse_email,
    createdAt: row.created_at,
  };
}

/** Every column but `private_armored`, which no caller outside the instance-key code may read. */
export const PUBLIC_KEY_COLUMNS = [
  'id',
  'organisation_id',
  'person_id',
  'fingerprint',
  'armored',
  'user_ids',
  'emails',
  'algorithm',
  'bits',
  'created_at_key',
  'expires_at',
  'revoked_at',
  'is_instance_key',
  'imported_at',
  'updated_at',
] as const;

export function keyRowToModel(row: Omit<PgpKeyRow, 'private_armored'>): PgpKeyModel {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    personId: row.person_id,
    fingerprint: row.fingerprint,
    armored: row.armored,
    userIds: row.user_ids,
    emails: row.emails,
    algorithm: row.algorithm,
    bits: row.bits,
    createdAtKey: row.created_at_key,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    isInstanceKey: row.is_instance_key,
    importedAt: row.imported_at,
  };
}

export interface AddressDeliveryModel {
  address: string;
  lastStatus: AddressDeliveryState;
  lastDetail: string | null;
  bounceCount: number;
  updatedAt: Date;
}

/**
 * What DSNs last said about these addresses. The table is the mail domain's (it writes it from bounces);
 * the directory only reads it, as mail reads the directory's keys.
 * @example await deliveryStatusOf(db, ['abuse@isp.example']) // [{ address: 'abuse@isp.example', lastStatus: 'bounced', … }]
 */
export async function deliveryStatusOf(db: Kysely<Schema>, addresses: readonly string[]): Promise<AddressDeliveryModel[]> {
  const wanted = [...new Set(addresses.map((address) => address.toLowerCase()))];
  if (wanted.length === 0) return [];
  const rows = await db
    .selectFrom('mail_address_status')
    .select(['address', 'last_status', 'last_detail', 'bounce_count', 'updated_at'])
    .where('address', 'in', wanted)
    .orderBy('address')
    .execute();
  return rows.map((row) => ({
    address: row.address,
    lastStatus: row.last_status,
    lastDetail: row.last_detail,
    bounceCount: row.bounce_count,
    updatedAt: row.updated_at,
  }));
}
