import type { ColumnType, Generated } from 'kysely';

export interface OrganisationsTable {
  id: Generated<string>;
  name: string;
  /** Japanese name; NULL = same as `name`. */
  name_ja: string | null;
  /** csirt | isp | vendor | subscriber | government | other */
  kind: string;
  /** TRUE for exactly one row: the team that runs this instance. Staff roles are memberships of it. */
  is_self: Generated<boolean>;
  contact_email: string | null;
  contact_phone: string | null;
  website: string | null;
  /** ISO 3166-1 alpha-2, upper case; NULL = unknown. */
  country: string | null;
  /** ISO 639-1 codes in order of preference, e.g. {ja,en}; empty = unknown. */
  languages: Generated<string[]>;
  /** IANA zone name; NULL = unknown. */
  time_zone: string | null;
  /** Report format they want: csv | xarf | text. */
  preferred_format: Generated<string>;
  /** Highest TLP they may receive: clear | green | amber | amber+strict | red. Nothing above it leaves for them. */
  tlp_ceiling: Generated<string>;
  /** required (never mail them in clear) | preferred | never (they cannot read PGP). */
  pgp_policy: Generated<string>;
  notes: string | null;
  /** When someone last confirmed the contact details work; NULL = never confirmed. */
  contact_confirmed_at: Date | null;
  /** CSIRTs only: FIRST team-directory and RFC 2350 fields (CsirtProfile in the contract); NULL = none. Write as JSON text. */
  csirt_profile: ColumnType<unknown, string | null | undefined, string | null>;
  /** The national CSIRT of `country` (kind must be csirt); several per country are allowed. */
  is_national_csirt: Generated<boolean>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}
