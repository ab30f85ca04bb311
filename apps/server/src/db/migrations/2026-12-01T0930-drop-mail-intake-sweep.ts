import { type Kysely, sql } from 'kysely';

// The mail intake is now enqueued in the transaction that stores the message, so the sweeper
// (incidents.sweep-mail-intake) and the two indexes that served its anti-joins are gone. The intake's own
// idempotency checks look within one report or incident (report_messages_report, incident_events_timeline).
// A schedule left by an earlier version is removed, if the queue's tables exist yet.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX IF EXISTS incident_events_mail_message;
    DROP INDEX IF EXISTS report_messages_mail_message;
    DO $$ BEGIN
      IF to_regclass('pgboss.schedule') IS NOT NULL THEN
        DELETE FROM pgboss.schedule WHERE name = 'incidents.sweep-mail-intake';
      END IF;
    END $$;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE INDEX report_messages_mail_message ON report_messages (mail_message_id) WHERE mail_message_id IS NOT NULL;
    CREATE INDEX incident_events_mail_message ON incident_events ((data->>'mailMessageId')) WHERE kind = 'message_in';
  `.execute(db);
}
