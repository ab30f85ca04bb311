import { type Kysely, sql } from 'kysely';

// Rate limits live in the database so that every server process on one PostgreSQL counts the same
// requests: one row per limited key (route and client, API token, organisation) and its current window.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE rate_limit_counters (
      key text PRIMARY KEY CHECK (length(key) <= 300),
      hits integer NOT NULL CHECK (hits >= 0),
      window_ends_at timestamptz NOT NULL
    );
    CREATE INDEX rate_limit_counters_window_ends_at ON rate_limit_counters (window_ends_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE rate_limit_counters`.execute(db);
}
