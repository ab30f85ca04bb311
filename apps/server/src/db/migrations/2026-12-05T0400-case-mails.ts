import { type Kysely, sql } from 'kysely';

// Mail between the coordinator and a case's vendors: each mail the team sends from a template (a contact
// attempt on the record; its delivery status stays in mail_messages), and the vendors' replies filed as
// private case messages, keyed by their inbound mail so a retried intake files each once.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE case_mails (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      case_id uuid NOT NULL REFERENCES vulnerability_cases (id),
      participant_id uuid NOT NULL REFERENCES case_participants (id),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      template text NOT NULL CHECK (template IN ('initial', 'reminder', 'embargo_proposal', 'publication')),
      language text NOT NULL CHECK (language IN ('ja', 'en')),
      encrypted boolean NOT NULL,
      content text NOT NULL CHECK (content IN ('full', 'notice_only')),
      to_address text NOT NULL,
      subject text NOT NULL,
      mail_message_id uuid NOT NULL UNIQUE REFERENCES mail_messages (id),
      sent_by uuid REFERENCES users (id),
      sent_at timestamptz NOT NULL DEFAULT now(),
      bounce_recorded_at timestamptz
    );
    CREATE INDEX case_mails_case ON case_mails (case_id, sent_at, id);

    ALTER TABLE case_messages ADD COLUMN mail_message_id uuid REFERENCES mail_messages (id);
    CREATE UNIQUE INDEX case_messages_mail_message ON case_messages (mail_message_id) WHERE mail_message_id IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX case_messages_mail_message;
    ALTER TABLE case_messages DROP COLUMN mail_message_id;
    DROP TABLE case_mails;
  `.execute(db);
}
