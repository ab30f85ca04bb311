import type { ColumnType, Generated } from 'kysely';

export interface PeopleTable {
  id: Generated<string>;
  organisation_id: string;
  name: string;
  /** Japanese name; NULL = same as `name`. */
  name_ja: string | null;
  role_title: string | null;
  /** Lower-cased; NULL = no e-mail known. */
  email: string | null;
  phone: string | null;
  /** Out-of-hours number, kept apart from `phone`; NULL = none. */
  emergency_phone: string | null;
  /** TRUE for a shared role mailbox (abuse@, psirt@) rather than a person. */
  is_role_address: Generated<boolean>;
  /** ISO 639-1 codes in order of preference; empty = unknown. */
  languages: Generated<string[]>;
  notes: string | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}
