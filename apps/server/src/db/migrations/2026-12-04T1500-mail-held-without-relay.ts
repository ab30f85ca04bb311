import { type Kysely, sql } from 'kysely';

// An outbound message written while no relay is configured waits as `held` (not sent: no relay
// configured); it becomes `queued` with its delivery job once a process with a relay starts.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE mail_messages DROP CONSTRAINT mail_messages_status_check;
    ALTER TABLE mail_messages ADD CONSTRAINT mail_messages_status_check
      CHECK (status IN ('stored', 'rejected_parts', 'rejected_headers', 'parse_failed', 'held', 'queued', 'sending', 'sent', 'failed', 'unconfirmed'));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    UPDATE mail_messages SET status = 'failed', status_detail = 'Never sent: no relay was configured' WHERE status = 'held';
    ALTER TABLE mail_messages DROP CONSTRAINT mail_messages_status_check;
    ALTER TABLE mail_messages ADD CONSTRAINT mail_messages_status_check
      CHECK (status IN ('stored', 'rejected_parts', 'rejected_headers', 'parse_failed', 'queued', 'sending', 'sent', 'failed', 'unconfirmed'));
  `.execute(db);
}
