import { type Kysely, sql } from 'kysely';

// The vulnerabilities domain (Early Warning Partnership coordination): finders' reports, the cases they
// become, each case's vulnerabilities, participants (vendors, the finder, partner coordinators), every
// vendor's status per vulnerability and product, contact attempts, embargoes with each participant's
// decision, the case timeline, the product-developer registry and the pool of reserved CVE IDs.
// Nothing about a case is deleted: statuses and embargoes keep their history in case_events.
const REPORTS = sql`
    CREATE TABLE vulnerability_counters (
      prefix text NOT NULL,
      year integer NOT NULL,
      value integer NOT NULL,
      PRIMARY KEY (prefix, year)
    );

    CREATE TABLE vulnerability_reports (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      reference text NOT NULL UNIQUE CHECK (reference ~ '^VR-[0-9]{4}-[0-9]{5,}$'),
      channel text NOT NULL CHECK (channel IN ('web', 'email', 'api')),
      status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'accepted', 'declined')),
      product_name text NOT NULL,
      product_version text,
      developer_name text,
      vulnerability_type text,
      title text NOT NULL DEFAULT '',
      description text NOT NULL,
      reproduction text NOT NULL DEFAULT '',
      discovered_on date,
      developer_contacted boolean,
      disclosure_plans text NOT NULL DEFAULT '',
      credit_name text,
      credit_organisation text,
      credit_anonymous boolean NOT NULL DEFAULT false,
      finder_name text,
      finder_email text,
      finder_pgp_key text,
      finder_language text CHECK (finder_language IN ('ja', 'en')),
      forwarded_by uuid REFERENCES organisations (id),
      partner_reference text,
      follow_up_token_hash text,
      mail_message_id uuid REFERENCES mail_messages (id),
      client_address text,
      decline_reason text,
      decided_by uuid REFERENCES users (id),
      decided_at timestamptz,
      created_by uuid REFERENCES users (id),
      received_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'declined') = (decline_reason IS NOT NULL))
    );
    CREATE INDEX vulnerability_reports_queue ON vulnerability_reports (status, received_at DESC, id);
    CREATE UNIQUE INDEX vulnerability_reports_partner_reference ON vulnerability_reports (forwarded_by, partner_reference)
      WHERE partner_reference IS NOT NULL;

    CREATE TABLE vulnerability_report_attachments (
      report_id uuid NOT NULL REFERENCES vulnerability_reports (id),
      position integer NOT NULL,
      sha256 text NOT NULL REFERENCES blobs (sha256),
      filename text NOT NULL,
      content_type text NOT NULL,
      size bigint NOT NULL,
      PRIMARY KEY (report_id, position)
    );
`;

const CASES = sql`
    CREATE TABLE vulnerability_cases (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      reference text NOT NULL UNIQUE CHECK (reference ~ '^VU-[0-9]{4}-[0-9]{5,}$'),
      public_id text UNIQUE,
      report_id uuid UNIQUE REFERENCES vulnerability_reports (id),
      title text NOT NULL,
      title_ja text,
      summary text NOT NULL DEFAULT '',
      status text NOT NULL DEFAULT 'verifying' CHECK (status IN ('verifying', 'coordinating', 'scheduled', 'published', 'closed')),
      multi_party boolean NOT NULL DEFAULT false,
      coordinator_id uuid REFERENCES users (id),
      target_publication_at timestamptz,
      published_at timestamptz,
      created_by uuid REFERENCES users (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      modified_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX vulnerability_cases_modified ON vulnerability_cases (modified_at DESC, id DESC);
    CREATE INDEX vulnerability_cases_status ON vulnerability_cases (status, modified_at DESC);

    CREATE TABLE case_vulnerabilities (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      case_id uuid NOT NULL REFERENCES vulnerability_cases (id),
      title text NOT NULL,
      title_ja text,
      description text NOT NULL DEFAULT '',
      cwe_id text,
      cve_id text UNIQUE,
      cvss31_vector text,
      cvss31_score numeric(3, 1),
      cvss40_vector text,
      cvss40_score numeric(3, 1),
      created_at timestamptz NOT NULL DEFAULT now(),
      modified_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX case_vulnerabilities_case ON case_vulnerabilities (case_id, created_at, id);

    CREATE TABLE case_participants (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      case_id uuid NOT NULL REFERENCES vulnerability_cases (id),
      role text NOT NULL CHECK (role IN ('vendor', 'finder', 'coordinator')),
      organisation_id uuid REFERENCES organisations (id),
      user_id uuid REFERENCES users (id),
      tracking_id text,
      contact_started_at timestamptz,
      shared_at timestamptz,
      unreachable_at timestamptz,
      added_by uuid REFERENCES users (id),
      added_at timestamptz NOT NULL DEFAULT now(),
      CHECK (organisation_id IS NOT NULL OR user_id IS NOT NULL)
    );
    CREATE UNIQUE INDEX case_participants_organisation ON case_participants (case_id, organisation_id) WHERE organisation_id IS NOT NULL;
    CREATE UNIQUE INDEX case_participants_user ON case_participants (case_id, user_id) WHERE organisation_id IS NULL;
    CREATE INDEX case_participants_by_organisation ON case_participants (organisation_id, case_id) WHERE shared_at IS NOT NULL;
    CREATE INDEX case_participants_by_user ON case_participants (user_id, case_id) WHERE shared_at IS NOT NULL;

    CREATE TABLE vendor_statuses (
      case_id uuid NOT NULL REFERENCES vulnerability_cases (id),
      vulnerability_id uuid NOT NULL REFERENCES case_vulnerabilities (id),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      product_name text NOT NULL DEFAULT '',
      status text NOT NULL CHECK (status IN ('not_notified', 'notified_no_answer', 'unknown', 'vulnerable', 'vulnerable_investigating',
        'not_vulnerable', 'not_vulnerable_investigating', 'unreachable')),
      justification text CHECK (justification IN ('component_not_present', 'vulnerable_code_not_present',
        'vulnerable_code_cannot_be_controlled_by_adversary', 'vulnerable_code_not_in_execute_path', 'inline_mitigations_already_exist')),
      fixed_versions text NOT NULL DEFAULT '',
      statement text NOT NULL DEFAULT '',
      statement_ja text NOT NULL DEFAULT '',
      "references" text[] NOT NULL DEFAULT '{}',
      set_by uuid REFERENCES users (id),
      set_at timestamptz,
      PRIMARY KEY (vulnerability_id, organisation_id, product_name),
      CHECK (justification IS NULL OR status IN ('not_vulnerable', 'not_vulnerable_investigating'))
    );
    CREATE INDEX vendor_statuses_case ON vendor_statuses (case_id, organisation_id);

    CREATE TABLE case_contact_attempts (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      case_id uuid NOT NULL REFERENCES vulnerability_cases (id),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      channel text NOT NULL CHECK (channel IN ('mail', 'phone', 'post', 'web_form', 'other')),
      outcome text NOT NULL CHECK (outcome IN ('sent', 'bounced', 'answered', 'no_answer')),
      note text NOT NULL DEFAULT '',
      mail_message_id uuid REFERENCES mail_messages (id),
      recorded_by uuid REFERENCES users (id),
      attempted_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX case_contact_attempts_case ON case_contact_attempts (case_id, organisation_id, attempted_at);

    CREATE TABLE case_embargoes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      case_id uuid NOT NULL REFERENCES vulnerability_cases (id),
      release_at timestamptz NOT NULL,
      state text NOT NULL DEFAULT 'proposed' CHECK (state IN ('proposed', 'agreed', 'rejected', 'superseded', 'released')),
      reason text NOT NULL DEFAULT '',
      proposed_by uuid REFERENCES users (id),
      proposed_by_organisation uuid REFERENCES organisations (id),
      proposed_at timestamptz NOT NULL DEFAULT now(),
      CHECK (date_trunc('minute', release_at) = release_at)
    );
    CREATE INDEX case_embargoes_case ON case_embargoes (case_id, proposed_at);
    CREATE UNIQUE INDEX case_embargoes_one_agreed ON case_embargoes (case_id) WHERE state = 'agreed';
`;

const COORDINATION = sql`
    CREATE TABLE case_embargo_decisions (
      embargo_id uuid NOT NULL REFERENCES case_embargoes (id),
      participant_id uuid NOT NULL REFERENCES case_participants (id),
      decision text NOT NULL CHECK (decision IN ('accepted', 'rejected')),
      comment text NOT NULL DEFAULT '',
      decided_by uuid REFERENCES users (id),
      decided_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (embargo_id, participant_id)
    );

    CREATE TABLE case_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      case_id uuid NOT NULL REFERENCES vulnerability_cases (id),
      kind text NOT NULL,
      detail jsonb NOT NULL DEFAULT '{}',
      organisation_id uuid REFERENCES organisations (id),
      actor_id uuid REFERENCES users (id),
      at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX case_events_case ON case_events (case_id, at, id);

    CREATE TABLE vendor_products (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      name text NOT NULL,
      aliases text[] NOT NULL DEFAULT '{}',
      cpes text[] NOT NULL DEFAULT '{}',
      purls text[] NOT NULL DEFAULT '{}',
      keywords text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organisation_id, name)
    );

    CREATE TABLE cve_pool (
      cve_id text PRIMARY KEY CHECK (cve_id ~ '^CVE-[0-9]{4}-[0-9]{4,}$'),
      imported_at timestamptz NOT NULL DEFAULT now(),
      vulnerability_id uuid UNIQUE REFERENCES case_vulnerabilities (id),
      assigned_at timestamptz,
      CHECK ((vulnerability_id IS NULL) = (assigned_at IS NULL))
    );
    CREATE INDEX cve_pool_free ON cve_pool (cve_id) WHERE vulnerability_id IS NULL;

`;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const part of [REPORTS, CASES, COORDINATION]) await part.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE cve_pool, vendor_products, case_events, case_embargo_decisions, case_embargoes, case_contact_attempts,
      vendor_statuses, case_participants, case_vulnerabilities, vulnerability_cases, vulnerability_report_attachments,
      vulnerability_reports, vulnerability_counters;
  `.execute(db);
}
