import type { ColumnType } from 'kysely';

export interface BlobsTable {
  /** Hex SHA-256 of the content; also its file name in the blob store. */
  sha256: string;
  size: number;
  created_at: ColumnType<Date, never, never>;
}
