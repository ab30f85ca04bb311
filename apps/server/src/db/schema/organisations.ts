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
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}
