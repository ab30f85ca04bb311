import { type Kysely, sql } from 'kysely';

// The mail domain: threads, messages in both directions, their parts (files in the blob store), and
// what DSN bounces said about each address.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE SEQUENCE mail_thread_key_seq;

    CREATE TABLE mail_threads (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      key text NOT NULL UNIQUE,
      subject text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_message_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE mail_messages (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
      thread_id uuid REFERENCES mail_threads (id),
      status text NOT NULL CHECK (status IN ('stored', 'rejected_parts', 'rejected_headers', 'parse_failed', 'queued', 'sent', 'failed')),
      status_detail text,
      raw_sha256 text NOT NULL REFERENCES blobs (sha256),
      raw_size bigint NOT NULL,
      message_id text,
      in_reply_to text,
      "references" text[] NOT NULL DEFAULT '{}',
      subject text NOT NULL DEFAULT '',
      from_address text,
      from_name text,
      to_addresses text[] NOT NULL DEFAULT '{}',
      cc_addresses text[] NOT NULL DEFAULT '{}',
      envelope_from text,
      envelope_to text[] NOT NULL DEFAULT '{}',
      client_address text,
      sent_at timestamptz,
      received_at timestamptz NOT NULL DEFAULT now(),
      headers jsonb NOT NULL DEFAULT '[]',
      text_body text NOT NULL DEFAULT '',
      html_body text,
      html_text text,
      flags text[] NOT NULL DEFAULT '{}',
      tlp text CHECK (tlp IN ('TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED')),
      pgp_status text NOT NULL DEFAULT 'unsigned' CHECK (pgp_status IN ('unsigned', 'good', 'bad', 'unknown_key', 'expired_key', 'revoked_key')),
      pgp_format text CHECK (pgp_format IN ('pgp_mime', 'inline')),
      pgp_signer_key_ids text[] NOT NULL DEFAULT '{}',
      pgp_signer_fingerprint text,
      pgp_encryption text NOT NULL DEFAULT 'none' CHECK (pgp_encryption IN ('none', 'decrypted', 'failed')),
      pgp_detail text,
      pgp_checked_at timestamptz,
      delivery_status text CHECK (delivery_status IN ('pending', 'relayed', 'delivered', 'delayed', 'failed', 'bounced')),
      delivery_detail text,
      delivery_updated_at timestamptz,
      send_attempts integer NOT NULL DEFAULT 0,
      created_by uuid REFERENCES users (id),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX mail_messages_listing ON mail_messages (direction, received_at DESC, id DESC);
    CREATE INDEX mail_messages_thread ON mail_messages (thread_id, received_at);
    CREATE INDEX mail_messages_message_id ON mail_messages (message_id);
    CREATE INDEX mail_messages_signers ON mail_messages USING gin (pgp_signer_key_ids);

    CREATE TABLE mail_parts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      message_id uuid NOT NULL REFERENCES mail_messages (id) ON DELETE CASCADE,
      ordinal integer NOT NULL,
      filename text,
      content_type text NOT NULL,
      disposition text,
      content_id text,
      size bigint NOT NULL,
      sha256 text NOT NULL REFERENCES blobs (sha256),
      from_encrypted boolean NOT NULL DEFAULT false,
      UNIQUE (message_id, ordinal)
    );

    CREATE TABLE mail_address_status (
      address text PRIMARY KEY CHECK (address = lower(address)),
      last_status text NOT NULL CHECK (last_status IN ('delivered', 'delayed', 'failed', 'bounced')),
      last_detail text,
      last_message_id uuid REFERENCES mail_messages (id) ON DELETE SET NULL,
      bounce_count integer NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE mail_address_status;
    DROP TABLE mail_parts;
    DROP TABLE mail_messages;
    DROP TABLE mail_threads;
    DROP SEQUENCE mail_thread_key_seq;
  `.execute(db);
}
