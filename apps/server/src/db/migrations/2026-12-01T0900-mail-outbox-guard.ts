import { type Kysely, sql } from 'kysely';

// The outbox's per-message delivery guard (decision 0100): an outbound message is `sending` while one
// attempt hands it to the relay, and `unconfirmed` when that attempt died before it could record the
// answer (the relay may have it; it is not handed over again).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE mail_messages DROP CONSTRAINT mail_messages_status_check;
    ALTER TABLE mail_messages ADD CONSTRAINT mail_messages_status_check
      CHECK (status IN ('stored', 'rejected_parts', 'rejected_headers', 'parse_failed', 'queued', 'sending', 'sent', 'failed', 'unconfirmed'));
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    UPDATE mail_messages SET status = 'queued' WHERE status = 'sending';
    UPDATE mail_messages SET status = 'failed' WHERE status = 'unconfirmed';
    ALTER TABLE mail_messages DROP CONSTRAINT mail_messages_status_check;
    ALTER TABLE mail_messages ADD CONSTRAINT mail_messages_status_check
      CHECK (status IN ('stored', 'rejected_parts', 'rejected_headers', 'parse_failed', 'queued', 'sent', 'failed'));
  `.execute(db);
}
