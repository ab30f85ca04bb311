import { type Kysely, sql } from 'kysely';

// The incidents domain: reports exactly as received, their observables, incidents, the links between
// them, coordinations with each party asked to act, and the timeline. Nothing here is ever deleted:
// merges and splits move links and leave events and a `merged_into` pointer.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE incident_reference_counters (
      prefix text NOT NULL,
      year integer NOT NULL,
      value integer NOT NULL,
      PRIMARY KEY (prefix, year)
    );

    CREATE TABLE reports (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      reference text NOT NULL UNIQUE CHECK (reference ~ '^IR-[0-9]{4}-[0-9]{6,}$'),
      channel text NOT NULL CHECK (channel IN ('web', 'email', 'api', 'feed', 'iodef', 'xarf')),
      status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'triaged', 'linked', 'discarded', 'closed')),
      priority smallint NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 4),
      tlp text NOT NULL DEFAULT 'amber' CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
      category text CHECK (category IN ('phishing', 'defacement', 'malware_site', 'scan', 'dos', 'ics', 'targeted_attack', 'other')),
      title text NOT NULL DEFAULT '',
      description text NOT NULL DEFAULT '',
      raw_sha256 text REFERENCES blobs (sha256),
      raw_text text,
      content_type text,
      reporter_name text,
      reporter_email text,
      reporter_organisation text,
      reporter_language text CHECK (reporter_language IN ('ja', 'en')),
      follow_up_token_hash text,
      mail_message_id uuid REFERENCES mail_messages (id),
      mail_thread_id uuid REFERENCES mail_threads (id),
      client_address text,
      observables_dropped integer NOT NULL DEFAULT 0,
      created_by uuid REFERENCES users (id),
      received_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX reports_triage ON reports (status, priority, received_at, id);
    CREATE INDEX reports_received ON reports (received_at DESC, id DESC);
    CREATE UNIQUE INDEX reports_mail_message ON reports (mail_message_id) WHERE mail_message_id IS NOT NULL;

    CREATE TABLE observables (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      report_id uuid NOT NULL REFERENCES reports (id),
      kind text NOT NULL CHECK (kind IN ('ip', 'domain', 'url', 'email', 'hash_md5', 'hash_sha1', 'hash_sha256', 'asn')),
      value text NOT NULL,
      display text NOT NULL,
      original text NOT NULL,
      UNIQUE (report_id, kind, value)
    );
    CREATE INDEX observables_value ON observables (kind, value);

    CREATE TABLE incidents (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      reference text NOT NULL UNIQUE CHECK (reference ~ '^INC-[0-9]{4}-[0-9]{6,}$'),
      title text NOT NULL,
      category text NOT NULL CHECK (category IN ('phishing', 'defacement', 'malware_site', 'scan', 'dos', 'ics', 'targeted_attack', 'other')),
      tlp text NOT NULL DEFAULT 'amber' CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
      priority smallint NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 4),
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'waiting', 'resolved', 'closed', 'merged')),
      assignee_id uuid REFERENCES users (id),
      due_at timestamptz,
      merged_into uuid REFERENCES incidents (id),
      brand text,
      brand_sector text,
      brand_domestic boolean,
      hosting_type text,
      first_reported_at timestamptz,
      site_down_at timestamptz,
      created_by uuid REFERENCES users (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz,
      CHECK ((status = 'merged') = (merged_into IS NOT NULL)),
      CHECK (site_down_at IS NULL OR first_reported_at IS NULL OR site_down_at >= first_reported_at)
    );
    CREATE INDEX incidents_queue ON incidents (status, priority, created_at);
    CREATE INDEX incidents_assignee ON incidents (assignee_id) WHERE assignee_id IS NOT NULL;

    CREATE TABLE incident_reports (
      incident_id uuid NOT NULL REFERENCES incidents (id),
      report_id uuid NOT NULL REFERENCES reports (id),
      linked_by uuid REFERENCES users (id),
      linked_by_label text NOT NULL,
      linked_at timestamptz NOT NULL DEFAULT now(),
      unlinked_at timestamptz,
      unlinked_by_label text,
      PRIMARY KEY (incident_id, report_id)
    );
    CREATE INDEX incident_reports_report ON incident_reports (report_id) WHERE unlinked_at IS NULL;

    CREATE TABLE coordinations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      incident_id uuid NOT NULL REFERENCES incidents (id),
      thread_key text NOT NULL UNIQUE,
      organisation_id uuid REFERENCES organisations (id),
      contact_name text,
      contact_email text,
      role text NOT NULL CHECK (role IN ('isp', 'site_owner', 'foreign_csirt', 'registrar', 'other')),
      state text NOT NULL DEFAULT 'drafted' CHECK (state IN ('drafted', 'sent', 'acknowledged', 'acted', 'no_response', 'closed')),
      country text CHECK (country ~ '^[A-Z]{2}$'),
      language text NOT NULL DEFAULT 'en' CHECK (language IN ('ja', 'en')),
      mail_thread_id uuid REFERENCES mail_threads (id),
      next_reminder_at timestamptz,
      reminders_sent integer NOT NULL DEFAULT 0,
      escalated_from uuid REFERENCES coordinations (id),
      notes text,
      sent_at timestamptz,
      acknowledged_at timestamptz,
      acted_at timestamptz,
      closed_at timestamptz,
      created_by uuid REFERENCES users (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (organisation_id IS NOT NULL OR contact_email IS NOT NULL)
    );
    CREATE INDEX coordinations_incident ON coordinations (incident_id, created_at);
    CREATE INDEX coordinations_reminders ON coordinations (next_reminder_at) WHERE next_reminder_at IS NOT NULL;
    CREATE INDEX coordinations_thread ON coordinations (mail_thread_id) WHERE mail_thread_id IS NOT NULL;

    CREATE TABLE incident_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      incident_id uuid NOT NULL REFERENCES incidents (id),
      kind text NOT NULL,
      actor_id uuid REFERENCES users (id),
      actor_label text NOT NULL,
      at timestamptz NOT NULL DEFAULT now(),
      data jsonb NOT NULL DEFAULT '{}'
    );
    CREATE INDEX incident_events_timeline ON incident_events (incident_id, id);

    CREATE TABLE report_messages (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      report_id uuid NOT NULL REFERENCES reports (id),
      author text NOT NULL CHECK (author IN ('reporter', 'team')),
      author_id uuid REFERENCES users (id),
      body text NOT NULL,
      mail_message_id uuid REFERENCES mail_messages (id),
      at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX report_messages_report ON report_messages (report_id, id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE report_messages;
    DROP TABLE incident_events;
    DROP TABLE coordinations;
    DROP TABLE incident_reports;
    DROP TABLE incidents;
    DROP TABLE observables;
    DROP TABLE reports;
    DROP TABLE incident_reference_counters;
  `.execute(db);
}
