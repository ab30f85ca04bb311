import type { ColumnType, Generated } from 'kysely';

export interface UsersTable {
  id: Generated<string>;
  /** Stored lower-cased; unique. */
  email: string;
  display_name: string;
  /** scrypt hash in PHC-like form; NULL = cannot log in with a password. */
  password_hash: string | null;
  /** Base32 TOTP secret; NULL = no second factor set up. */
  totp_secret: string | null;
  /** NULL = TOTP set up but not yet confirmed with a code, or not set up. */
  totp_enabled_at: Date | null;
  /** Last TOTP time step accepted, so a code cannot be replayed; NULL = none yet. */
  totp_last_step: number | null;
  locale: Generated<string>;
  /** IANA zone name, e.g. Asia/Tokyo. */
  time_zone: Generated<string>;
  /** Consecutive failed logins since the last success. */
  failed_logins: Generated<number>;
  /** NULL = not locked out. */
  locked_until: Date | null;
  /** NULL = active. */
  disabled_at: Date | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}
