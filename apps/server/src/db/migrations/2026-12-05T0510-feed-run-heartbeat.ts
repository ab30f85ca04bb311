import { type Kysely, sql } from 'kysely';

// A running feed run shows it is alive: its process touches `heartbeat_at` as it stores batches, so a run
// whose process was killed can be told from a slow one and failed, with its events removed.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE feed_runs ADD COLUMN heartbeat_at timestamptz NOT NULL DEFAULT now();
    CREATE INDEX feed_runs_running ON feed_runs (heartbeat_at) WHERE state = 'running';
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX feed_runs_running;
    ALTER TABLE feed_runs DROP COLUMN heartbeat_at;
  `.execute(db);
}
