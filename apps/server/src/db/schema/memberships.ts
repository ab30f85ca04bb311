import type { ColumnType } from 'kysely';

export interface MembershipsTable {
  user_id: string;
  organisation_id: string;
  /** One of the roles in @renkei/contract `ROLES`. */
  role: string;
  created_at: ColumnType<Date, never, never>;
}
