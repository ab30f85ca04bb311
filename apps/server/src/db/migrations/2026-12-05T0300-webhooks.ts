import { type Kysely, sql } from 'kysely';

// Webhooks for vendors' and partners' tools: each organisation's endpoints, and the outbox of deliveries
// (one row per endpoint and event, written in the transaction of the change) with every attempt kept.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE webhook_endpoints (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id),
      url text NOT NULL CHECK (length(url) BETWEEN 8 AND 2000 AND (url LIKE 'https://%' OR url LIKE 'http://%')),
      description text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
      secret text NOT NULL CHECK (length(secret) BETWEEN 32 AND 200),
      events text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 20),
      active boolean NOT NULL DEFAULT true,
      created_by uuid REFERENCES users (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      secret_rotated_at timestamptz
    );
    CREATE INDEX webhook_endpoints_organisation ON webhook_endpoints (organisation_id) WHERE active;

    CREATE TABLE webhook_deliveries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id),
      event_type text NOT NULL,
      case_id uuid REFERENCES vulnerability_cases (id),
      payload jsonb NOT NULL,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    );
    CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC);

    CREATE TABLE webhook_delivery_attempts (
      delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id),
      attempt integer NOT NULL CHECK (attempt >= 1),
      at timestamptz NOT NULL,
      status_code integer,
      error text,
      duration_ms integer NOT NULL CHECK (duration_ms >= 0),
      PRIMARY KEY (delivery_id, attempt)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE webhook_delivery_attempts, webhook_deliveries, webhook_endpoints`.execute(db);
}
