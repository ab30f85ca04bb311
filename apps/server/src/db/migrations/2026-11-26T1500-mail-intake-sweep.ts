import { type Kysely, sql } from 'kysely';

// The mail intake sweeper (incidents.sweep-mail-intake) asks, per inbound message, "did the intake already
// handle it?": a report (reports_mail_message), a reporter's answer (report_messages) or a coordination reply
// (a message_in event naming the message). These two indexes keep those anti-joins off full scans.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX report_messages_mail_message ON report_messages (mail_message_id) WHERE mail_message_id IS NOT NULL;
    CREATE INDEX incident_events_mail_message ON incident_events ((data->>'mailMessageId')) WHERE kind = 'message_in';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX incident_events_mail_message;
    DROP INDEX report_messages_mail_message;
  `.execute(db);
}
