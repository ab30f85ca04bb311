import type { ColumnType } from 'kysely';

/** One row (id 1): the HMAC key of the public site's form tokens (`portal/form-guard.ts`); made on first use. */
export interface PublicFormKeysTable {
  id: number;
  key: Buffer;
  created_at: ColumnType<Date, Date | undefined, never>;
}
