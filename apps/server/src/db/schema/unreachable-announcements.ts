import type { ColumnType } from 'kysely';

/**
 * A vendor of a case the team declared unreachable and announced on the public list of unreachable
 * developers. No row = not announced (the name is not on the list).
 */
export interface UnreachableAnnouncementsTable {
  participant_id: string;
  case_id: string;
  organisation_id: string;
  /** When the name was (or will be) announced on the list. */
  announced_at: Date;
  /** announced_at + the configured wait: the earliest the case may be published without the vendor. */
  publishable_from: Date;
  announced_by: string | null;
  recorded_at: ColumnType<Date, Date | undefined, never>;
}
