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
