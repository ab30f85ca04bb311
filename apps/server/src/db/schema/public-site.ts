import type { ColumnType } from 'kysely';

/** One row (id 1): the HMAC key of the public site's form tokens (`portal/form-guard.ts`); made on first use. */
export interface PublicFormKeysTable {
  id: number;
  key: Buffer;
  created_at: ColumnType<Date, Date | undefined, never>;
}

/** Public form tokens already used to submit (`portal/form-guard.ts`, single-use forms): a token files once. */
export interface PublicFormTokensSpentTable {
  /** The form's purpose and the token's issued-at and nonce (`report:<issued>.<nonce>`), not its signature. */
  token: string;
  /** When the token would have expired; the row is swept after it. */
  expires_at: Date;
}

/** Rate-limit counters shared by every server process (`http/rate-limit-store.ts`); expired rows are swept. */
export interface RateLimitCountersTable {
  /** What is counted: `route:<method> <url>:<client address>`, `token:<id>:<purpose>`, `organisation:<id>:<purpose>`. */
  key: string;
  /** Requests counted in the current window. */
  hits: number;
  /** When the current window ends; the next request after it starts a new window at 1. */
  window_ends_at: Date;
}
