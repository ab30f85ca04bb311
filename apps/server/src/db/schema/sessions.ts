import type { ColumnType } from 'kysely';

export interface SessionsTable {
  /** SHA-256 of the cookie value: a stolen table gives no usable session. */
  id: string;
  user_id: string;
  /** Sent back in X-CSRF-Token on every unsafe request made with this session's cookie. */
  csrf_token: string;
  ip: string | null;
  user_agent: string | null;
  created_at: ColumnType<Date, never, never>;
  expires_at: Date;
  last_seen_at: Date;
}
