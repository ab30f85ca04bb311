import PgBoss from 'pg-boss';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Schema } from '../db/schema/index.ts';
import { createLogger } from '../kernel/logger.ts';
import { enqueueOnce, pruneIdempotencyKeysJob } from './idempotency.ts';
import { JobWorker } from './job-worker.ts';
import type { Enqueued, EnqueueOptions, JobDefinition, JobLogger, JobQueue, JobQueueOptions, JobView, ScheduleView } from './job-types.ts';
import { TrackedConnection, describe, isFuture, queueSettings, sendSettings, transactionConnection } from './pg-boss-support.ts';

/**
 * The job queue: background work as rows in PostgreSQL (PGlite or a server), run at least once.
 *
 * pg-boss 10 stores the jobs (schema `pgboss`), fetches them with `FOR UPDATE SKIP LOCKED`, retries,
 * expires and schedules them; everything outside this file sees only `JobQueue`, so it can be replaced.
 * pg-boss talks to the database through our own `pg` pool (its `db.executeSql` option), never a pool of
 * its own: on PGlite that pool has a single connection, so nothing here holds a transaction while
 * waiting for another query.
 *
 * Delivery is at least once: a job whose worker dies mid-run runs again, so handlers must be idempotent
 * (check before acting, upsert, use the job ID as a dedupe key for side effects).
 */

// The shapes (job-types.ts) are re-exported here: callers import the queue from this file only. The queue
// is split by capability: idempotent enqueue (idempotency.ts), the worker loops (job-worker.ts), and
// pg-boss connections and settings (pg-boss-support.ts); this file keeps sending, schedules and the lifecycle.
export * from './job-types.ts';

/**
 * The queue over an open database. Creating it touches nothing; `start` (or the first enqueue) does.
 * @example const jobs = createJobQueue(database); jobs.register(sendMail); await jobs.enqueue(sendMail, { messageId });
 */
export function createJobQueue(database: Database, options: JobQueueOptions = {}): JobQueue {
  return new PgBossJobQueue(database, options);
}

class PgBossJobQueue implements JobQueue {
  private readonly definitions = new Map<string, JobDefinition<never>>();
  private readonly declaredSchedules = new Map<string, string>();
  private readonly log: JobLogger;
  private client: { boss: PgBoss; connection: TrackedConnection } | null = null;
  private starting: Promise<void> | null = null;
  private readonly worker: JobWorker;
  private stopping = false;
  private stopped: Promise<void> | null = null;

  constructor(
    private readonly database: Database,
    options: JobQueueOptions,
  ) {
    this.log = options.log ?? createLogger({ level: 'info', name: 'renkei' }).child({ component: 'jobs' });
    this.worker = new JobWorker({ database, options, log: this.log, definitions: this.definitions, stopping: () => this.stopping });
    this.register(pruneIdempotencyKeysJob(database.db), { cron: '23 3 * * *' });
  }

  register(definition: JobDefinition<never>, schedule?: { cron: string }): void {
    if (this.starting) throw new Error(`Register job "${definition.name}" before the queue starts`);
    const known = this.definitions.get(definition.name);
    if (known && known !== definition) throw new Error(`Two different jobs are named "${definition.name}"`);
    this.definitions.set(definition.name, definition);
    if (schedule) this.declaredSchedules.set(definition.name, schedule.cron);
  }

  start(): Promise<void> {
    if (this.stopping) return Promise.reject(new Error('The job queue has been stopped'));
    this.starting ??= this.install().catch((error: unknown) => {
      this.starting = null;
      throw error;
    });
    return this.starting;
  }

  private async install(): Promise<void> {
    const connection = new TrackedConnection(this.database.pool);
    // This instance only sends and reads: no maintenance timers, no scheduler (the worker runs those).
    const boss = new PgBoss({ db: connection, supervise: false, schedule: false, migrate: true });
    boss.on('error', (error) => this.log.error({ error: describe(error) }, 'queue error'));
    await boss.start();
    for (const definition of this.definitions.values()) {
      const settings = queueSettings(definition.name, definition.options);
      await boss.createQueue(definition.name, settings);
      await boss.updateQueue(definition.name, settings);
    }
    for (const [name, cron] of this.declaredSchedules) {
      await boss.schedule(name, cron, {}, { ...sendSettings(this.definition(name).options), tz: 'UTC' });
    }
    this.client = { boss, connection };
  }

  private definition(job: JobDefinition<never> | string): JobDefinition<never> {
    const name = typeof job === 'string' ? job : job.name;
    const definition = this.definitions.get(name);
    if (!definition) throw new Error(`No job named "${name}" is registered (add it to its domain's jobs, registered in app/job-registry.ts)`);
    return definition;
  }

  private async ready(): Promise<PgBoss> {
    await this.start();
    if (this.stopping || !this.client) throw new Error('The job queue has been stopped');
    return this.client.boss;
  }

  async enqueue(job: JobDefinition<never> | string, data: object, options: EnqueueOptions = {}): Promise<Enqueued> {
    const definition = this.definition(job);
    // Starting needs the pool, which on PGlite is the one connection the caller's transaction holds.
    if (options.trx && !this.client) throw new Error('Start the job queue before enqueueing inside a transaction');
    const boss = await this.ready();
    const settings = { ...sendSettings(definition.options), ...(options.startAfter !== undefined ? { startAfter: options.startAfter } : {}) };
    let result: Enqueued;
    if (options.idempotencyKey === undefined) {
      const id = await boss.send(definition.name, data, options.trx ? { ...settings, db: transactionConnection(options.trx) } : settings);
      if (!id) throw new Error(`pg-boss refused job "${definition.name}"`);
      result = { id, created: true };
    } else {
      const key = options.idempotencyKey;
      if (key === '' || key.length > 500) throw new Error('An idempotency key must be 1 to 500 characters');
      const enqueue = (trx: Kysely<Schema>) => enqueueOnce(boss, trx, { name: definition.name, key, data, settings, startAfter: options.startAfter });
      result = options.trx ? await enqueue(options.trx) : await this.database.db.transaction().execute(enqueue);
    }
    if (result.created && !isFuture(options.startAfter)) this.worker.wake(definition.name);
    return result;
  }

  async schedule(job: JobDefinition<never> | string, cron: string, data: object = {}): Promise<void> {
    const definition = this.definition(job);
    const boss = await this.ready();
    await boss.schedule(definition.name, cron, data, { ...sendSettings(definition.options), tz: 'UTC' });
  }

  async unschedule(job: JobDefinition<never> | string): Promise<void> {
    const boss = await this.ready();
    await boss.unschedule(typeof job === 'string' ? job : job.name);
  }

  async schedules(): Promise<ScheduleView[]> {
    const boss = await this.ready();
    const rows = await boss.getSchedules();
    return rows.map((row) => ({ name: row.name, cron: row.cron, timeZone: (row as { timezone?: string }).timezone ?? 'UTC' }));
  }

  async getJob(job: JobDefinition<never> | string, id: string): Promise<JobView | null> {
    const boss = await this.ready();
    const found = await boss.getJobById<unknown>(typeof job === 'string' ? job : job.name, id, { includeArchive: true });
    if (!found) return null;
    return {
      id: found.id,
      name: found.name,
      state: found.state,
      data: found.data,
      output: found.output ?? null,
      attempts: found.startedOn ? found.retryCount + 1 : 0,
      startAfter: found.startAfter,
      startedOn: found.startedOn ?? null,
      completedOn: found.completedOn ?? null,
      createdOn: found.createdOn,
    };
  }

  async startWorker({ concurrency }: { concurrency: number }): Promise<void> {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('Worker concurrency must be a whole number of at least 1');
    if (this.worker.isStarted) throw new Error('This job queue already runs a worker');
    await this.worker.start(await this.ready(), concurrency);
  }

  stop(options: { timeoutMs?: number } = {}): Promise<void> {
    this.stopped ??= this.shutdown(options.timeoutMs ?? 15_000);
    return this.stopped;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.stopping = true;
    // A start in progress finishes first, so its connection is closed below rather than left behind.
    await this.starting?.catch(() => {});
    await this.worker.stop(timeoutMs);
    if (this.client) {
      await this.client.boss.stop({ graceful: false, wait: true, close: false });
      await this.client.connection.close();
    }
  }
}
