import type { ColumnType } from 'kysely';

export interface AuditLogTable {
  /** 1, 2, 3, ... without gaps: a missing number is a removed entry. */
  seq: ColumnType<number, number, never>;
  at: ColumnType<Date, Date, never>;
  /** NULL = the system itself (a job, a migration, the CLI without a user). */
  actor_id: string | null;
  /** Who, as a person reads it: an e-mail, "token:<prefix>", "cli", "system". */
  actor_label: string;
  action: string;
  target_type: string;
  target_id: string | null;
  /** NULL = the target did not exist before (a creation). */
  before: unknown;
  /** NULL = the target no longer exists (a deletion). */
  after: unknown;
  /** Client address; NULL = not over HTTP. */
  ip: string | null;
  request_id: string | null;
  /** `hash` of entry seq-1; 64 zeros for the first entry. */
  prev_hash: string;
  /** SHA-256 over prev_hash and this entry's canonical content. */
  hash: string;
}
