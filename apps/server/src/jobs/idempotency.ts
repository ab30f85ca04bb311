import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Schema } from '../db/schema/index.ts';
import { type Enqueued, type JobDefinition, defineJob } from './job-types.ts';
import { transactionConnection } from './pg-boss-support.ts';

// Idempotency keys: at most one live job per (job, key), claimed under the key's row lock in the
// enqueueing transaction (table `job_idempotency_keys`).

const LIVE_STATES: ReadonlySet<string> = new Set(['created', 'retry', 'active']);
const KEY_RETENTION_DAYS = 15;

/** A job enqueued under a key, as `enqueueOnce` needs it. */
export interface KeyedSend {
  name: string;
  key: string;
  data: object;
  settings: PgBoss.SendOptions;
  startAfter: Date | number | undefined;
}

/**
 * Inside one transaction: claim the key, or find the job that holds it and create a new one only if that job is over.
 * @example await db.transaction().execute((trx) => enqueueOnce(boss, trx, { name, key, data, settings, startAfter: undefined }));
 */
export async function enqueueOnce(boss: PgBoss, trx: Kysely<Schema>, job: KeyedSend): Promise<Enqueued> {
  const { name, key, data, settings, startAfter } = job;
  const connection = transactionConnection(trx);
  const id = randomUUID();
  const at = startAfter instanceof Date ? startAfter : null;
  const seconds = typeof startAfter === 'number' ? startAfter : 0;
  const send = async (): Promise<Enqueued> => {
    const sent = await boss.send(name, data, { ...settings, id, db: connection });
    if (sent !== id) throw new Error(`pg-boss refused job "${name}"`);
    return { id, created: true };
  };
  // Concurrent enqueuers of a new key wait here on the primary key until the first commits.
  const claimed = await sql<{ job_id: string }>`
    INSERT INTO job_idempotency_keys (queue, key, job_id, start_after)
    VALUES (${name}, ${key}, ${id}, COALESCE(${at}::timestamptz, now() + ${seconds} * interval '1 second'))
    ON CONFLICT DO NOTHING
    RETURNING job_id`.execute(trx);
  if (claimed.rows.length === 1) return send();
  // Known key: lock its row so concurrent enqueuers of it take turns, then look at its job.
  const held = await sql<{ job_id: string }>`SELECT job_id FROM job_idempotency_keys WHERE queue = ${name} AND key = ${key} FOR UPDATE`.execute(trx);
  const heldId = held.rows[0]!.job_id;
  const existing = await boss.getJobById(name, heldId, { db: connection, includeArchive: false });
  if (existing && LIVE_STATES.has(existing.state)) return { id: heldId, created: false };
  const created = await send();
  await sql`
    UPDATE job_idempotency_keys
    SET job_id = ${id}, start_after = COALESCE(${at}::timestamptz, now() + ${seconds} * interval '1 second'), created_at = now()
    WHERE queue = ${name} AND key = ${key}`.execute(trx);
  return created;
}

/**
 * Built in: forget idempotency keys whose jobs cannot be live any more (pg-boss drops a job that has
 * not started 14 days after its start time, and an attempt lasts under a day). Runs daily.
 */
export function pruneIdempotencyKeysJob(db: Kysely<Schema>): JobDefinition<never> {
  return defineJob(
    'jobs.prune-idempotency-keys',
    async () => {
      const result = await sql`DELETE FROM job_idempotency_keys WHERE start_after < now() - make_interval(days => ${KEY_RETENTION_DAYS})`.execute(db);
      return { pruned: Number(result.numAffectedRows ?? 0) };
    },
    { retryLimit: 2, retryDelaySeconds: 60, expireInSeconds: 600 },
  );
}
