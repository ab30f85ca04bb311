import type { ColumnType, Generated } from 'kysely';

export interface ApiTokensTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  /** SHA-256 of the token; the token itself is shown once and never stored. */
  token_hash: string;
  /** The first characters of the token, to tell tokens apart in lists. */
  token_prefix: string;
  /** Roles the token may act with: a subset of its user's roles at use time. */
  roles: string[];
  expires_at: Date;
  /** NULL = never used. */
  last_used_at: Date | null;
  /** NULL = valid. */
  revoked_at: Date | null;
  created_at: ColumnType<Date, never, never>;
}
