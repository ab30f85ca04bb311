import { type Kysely, sql } from 'kysely';

// The bulk feed pipeline: saved CSV column mappings, scheduled feed sources, ingest runs with their
// rejected lines, the de-duplicated events, and the notifications that group events per recipient.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE feed_mappings (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
      -- { "<column header, lower case>": "<event field>" } (FeedMapping in the contract)
      columns jsonb NOT NULL,
      -- RSIT predicate and value given to every row; a mapped 'report_type' column classifies per row instead.
      taxonomy text NOT NULL,
      type text NOT NULL,
      -- TLP 2.0 of the rows, lower case: clear | green | amber | amber+strict | red
      tlp text NOT NULL DEFAULT 'amber' CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    -- Feeds fetched from a URL on a schedule (job feeds.fetch-due-sources).
    CREATE TABLE feed_sources (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
      url text NOT NULL CHECK (url ~ '^https?://'),
      format text NOT NULL CHECK (format IN ('shadowserver', 'csv')),
      mapping_id uuid REFERENCES feed_mappings (id), -- NULL for shadowserver; required for csv
      report_type text, -- NULL = from the file name or a column
      tlp text NOT NULL DEFAULT 'amber' CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
      interval_minutes integer NOT NULL DEFAULT 1440 CHECK (interval_minutes BETWEEN 5 AND 44640),
      enabled boolean NOT NULL DEFAULT true,
      last_fetched_at timestamptz, -- NULL = never fetched
      last_status text, -- NULL = never fetched; else 'ok' or the error
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (format = 'shadowserver' OR mapping_id IS NOT NULL)
    );

    CREATE TABLE feed_runs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      -- What was read: a file name, or the source's URL.
      origin text NOT NULL,
      source_id uuid REFERENCES feed_sources (id) ON DELETE SET NULL, -- NULL = a file given by hand
      format text NOT NULL CHECK (format IN ('shadowserver', 'csv')),
      mapping_name text, -- NULL for shadowserver
      -- The original bytes in the blob store, so no row is ever lost; NULL = larger than the blob limit, not kept.
      original_sha256 text REFERENCES blobs (sha256),
      state text NOT NULL CHECK (state IN ('running', 'completed', 'failed')),
      error text, -- why a failed run failed; NULL otherwise
      rows_read integer NOT NULL DEFAULT 0,
      events_stored integer NOT NULL DEFAULT 0,
      duplicates integer NOT NULL DEFAULT 0,
      rejected integer NOT NULL DEFAULT 0,
      bytes_read bigint NOT NULL DEFAULT 0,
      seconds double precision NOT NULL DEFAULT 0,
      started_by text NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz -- NULL while running
    );
    CREATE INDEX feed_runs_started ON feed_runs (started_at DESC);

    -- Rejected lines, with the reason and the first bytes (the whole line is in the original).
    CREATE TABLE feed_rejects (
      run_id uuid NOT NULL REFERENCES feed_runs (id) ON DELETE CASCADE,
      line integer NOT NULL,
      reason text NOT NULL,
      raw bytea NOT NULL,
      PRIMARY KEY (run_id, line)
    );

    CREATE SEQUENCE feed_notification_key_seq;

    CREATE TABLE feed_notifications (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      key text NOT NULL UNIQUE, -- FN-<year>-<6 digits>, in the mail subject
      organisation_id uuid REFERENCES organisations (id) ON DELETE SET NULL,
      recipient text NOT NULL, -- the abuse address, lower case
      format text NOT NULL CHECK (format IN ('csv', 'xarf')),
      language text NOT NULL CHECK (language IN ('en', 'ja')),
      tlp_ceiling text NOT NULL,
      -- The highest TLP among the events sent (the label of the mail); NULL = nothing sent.
      tlp text,
      event_count integer NOT NULL DEFAULT 0, -- events sent
      withheld_count integer NOT NULL DEFAULT 0, -- events above the recipient's TLP ceiling, kept back
      -- pending: events linked, not yet handed to mail; queued: mail queued; withheld: everything was
      -- above the ceiling, no mail; failed: mail refused it (error says why).
      state text NOT NULL CHECK (state IN ('pending', 'queued', 'withheld', 'failed')),
      error text,
      attachment_sha256 text REFERENCES blobs (sha256), -- NULL until built
      mail_message_id uuid REFERENCES mail_messages (id), -- NULL until queued
      thread_id uuid REFERENCES mail_threads (id), -- the mail thread: replies land here
      created_at timestamptz NOT NULL DEFAULT now(),
      queued_at timestamptz
    );
    CREATE INDEX feed_notifications_recipient ON feed_notifications (recipient, created_at DESC);
    CREATE INDEX feed_notifications_pending ON feed_notifications (created_at) WHERE state = 'pending';

    -- How often an organisation hears from us; no row = daily, in its preferred format.
    CREATE TABLE feed_recipient_settings (
      organisation_id uuid PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
      interval_minutes integer NOT NULL DEFAULT 1440 CHECK (interval_minutes BETWEEN 5 AND 44640),
      format text CHECK (format IN ('csv', 'xarf')), -- NULL = the organisation's preferred_format
      paused boolean NOT NULL DEFAULT false
    );

    CREATE TABLE feed_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      -- 128 bits of SHA-256 over source, report type, ip, port and time bucket: the same event twice is one row.
      fingerprint uuid NOT NULL,
      -- No foreign key: a per-row RI check would cost the bulk insert a third of its speed; runs are never deleted.
      run_id uuid NOT NULL,
      source text NOT NULL, -- 'shadowserver' or the mapping's name
      report_type text NOT NULL,
      taxonomy text NOT NULL, -- RSIT predicate
      type text NOT NULL, -- RSIT value
      observed_at timestamptz NOT NULL,
      ip inet NOT NULL,
      port integer, -- NULL = the row gives none
      protocol text,
      hostname text,
      tag text,
      asn bigint, -- NULL = unknown
      country text, -- ISO 3166 alpha-2; NULL = unknown
      organisation_id uuid, -- the directory's holder of the address; NULL = not in the directory
      recipient text COLLATE "C", -- abuse address, lower case; NULL = nobody to notify (byte order: cheap comparisons in the bulk insert)
      tlp text NOT NULL,
      line integer NOT NULL, -- line in the run's original file
      extra jsonb, -- the row's other columns; NULL = none
      notification_id uuid REFERENCES feed_notifications (id), -- NULL = not yet notified
      withheld boolean NOT NULL DEFAULT false, -- TRUE = kept out of its notification by the TLP ceiling
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX feed_events_fingerprint ON feed_events (fingerprint);
    -- No general (recipient) index: at half the rows it cost the bulk insert a third of its rate. Events by
    -- recipient are its notifications' events plus its pending ones, each with its own index.
    CREATE INDEX feed_events_pending ON feed_events (recipient) WHERE notification_id IS NULL AND recipient IS NOT NULL;
    CREATE INDEX feed_events_notification ON feed_events (notification_id) WHERE notification_id IS NOT NULL;
    CREATE INDEX feed_events_type ON feed_events (type, id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE feed_events; DROP TABLE feed_recipient_settings; DROP TABLE feed_notifications; DROP SEQUENCE feed_notification_key_seq;
    DROP TABLE feed_rejects; DROP TABLE feed_runs; DROP TABLE feed_sources; DROP TABLE feed_mappings;
  `.execute(db);
}
