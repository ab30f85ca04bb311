import type { ColumnType, Generated } from 'kysely';

/** A mail the team sent a vendor of a case from a template; its delivery status is on its `mail_messages` row. */
export interface CaseMailsTable {
  id: Generated<string>;
  case_id: string;
  participant_id: string;
  organisation_id: string;
  /** initial | reminder | embargo_proposal | publication */
  template: string;
  /** ja | en: the vendor's language when it was sent. */
  language: string;
  /** TRUE = encrypted to the vendor's key; FALSE = signed only. */
  encrypted: boolean;
  /** full = the text the team wrote (encrypted); notice_only = no key, so only "there is a case, log in" went out. */
  content: string;
  to_address: string;
  subject: string;
  mail_message_id: string;
  /** NULL = sent by the system. */
  sent_by: string | null;
  sent_at: ColumnType<Date, Date | undefined, never>;
  /** When its DSN bounce was recorded as a failed contact attempt; NULL = no bounce recorded. */
  bounce_recorded_at: Date | null;
}
