import { type Kysely, sql } from 'kysely';

// The job queue's idempotency keys: which job a (queue, key) pair last enqueued. The jobs themselves
// live in pg-boss's own schema (`pgboss`), which pg-boss installs and migrates on start.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE job_idempotency_keys (
      queue text NOT NULL,
      key text NOT NULL,
      job_id uuid NOT NULL,
      start_after timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (queue, key)
    );
    CREATE INDEX job_idempotency_keys_start_after ON job_idempotency_keys (start_after);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE job_idempotency_keys`.execute(db);
}
