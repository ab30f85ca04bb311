import { randomUUID } from 'node:crypto';
import { CompiledQuery, type Kysely, sql } from 'kysely';
import PgBoss from 'pg-boss';
import type { Database } from '../db/database.ts';
import type { Schema } from '../db/schema/index.ts';
import { type Logger, createLogger } from '../kernel/logger.ts';

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

export interface JobOptions {
  /** Retries after the first attempt fails: a job runs at most retryLimit + 1 times. */
  retryLimit: number;
  /** Seconds before a retry. With backoff, the n-th retry waits retryDelaySeconds·2^(n-1) to twice that (random jitter). */
  retryDelaySeconds: number;
  backoff: boolean;
  /**
   * The longest one attempt may run (at most 23 h). Past it the attempt fails (its `signal` aborts) and
   * is retried. On PostgreSQL this is also how the jobs of a worker killed mid-run come back: another
   * worker's maintenance fails them once this much time has passed since they started.
   */
  expireInSeconds: number;
}

export const DEFAULT_JOB_OPTIONS: Readonly<JobOptions> = { retryLimit: 5, retryDelaySeconds: 10, backoff: true, expireInSeconds: 300 };

export interface JobContext {
  id: string;
  name: string;
  /** 1 for the first run, 2 for the first retry, … */
  attempt: number;
  /** retryLimit + 1 */
  maxAttempts: number;
  /** Aborted when the attempt outlives expireInSeconds or the worker stops before it ends: stop, and throw. */
  signal: AbortSignal;
  log: JobLogger;
}

/** Runs one job. A thrown error fails the attempt (retried while attempts remain); a returned object is kept as the job's output. */
export type JobHandler<T extends object> = (data: T, context: JobContext) => Promise<object | void>;

export interface JobDefinition<T extends object = object> {
  readonly name: string;
  readonly handler: JobHandler<T>;
  readonly options: Readonly<JobOptions>;
}

/**
 * Declares a kind of job: its name (`<domain>.<verb-object>`), its handler, its retry and expiry policy.
 * @example const sendMail = defineJob<{ messageId: string }>('mail.send', async ({ messageId }) => { ... }, { retryLimit: 8 });
 */
export function defineJob<T extends object>(name: string, handler: JobHandler<T>, options: Partial<JobOptions> = {}): JobDefinition<T> {
  if (!/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/.test(name)) throw new Error(`Job name "${name}" must look like "domain.verb-object" (lower case, dot-separated)`);
  const merged = { ...DEFAULT_JOB_OPTIONS, ...options };
  for (const key of ['retryLimit', 'retryDelaySeconds'] as const) {
    if (!Number.isInteger(merged[key]) || merged[key] < 0) throw new Error(`Job "${name}": ${key} must be a non-negative integer`);
  }
  if (!Number.isInteger(merged.expireInSeconds) || merged.expireInSeconds < 1 || merged.expireInSeconds >= 23 * 3600) {
    throw new Error(`Job "${name}": expireInSeconds must be a whole number of seconds from 1 to 23 hours`);
  }
  return { name, handler, options: Object.freeze(merged) };
}

export interface EnqueueOptions {
  /**
   * At most one live job per (job name, key): while a job enqueued with this key is waiting, delayed,
   * awaiting a retry or running, enqueueing the same key again creates nothing and returns that job's ID
   * (`created: false`; its data and startAfter are kept, the new ones ignored). Once it has completed,
   * failed for good or been cancelled, the key is free and the next enqueue creates a new job.
   */
  idempotencyKey?: string;
  /** Run no earlier than this instant, or this many seconds from now. */
  startAfter?: Date | number;
  /** Enqueue inside this transaction: the job (and its key) exist only if the transaction commits. */
  trx?: Kysely<Schema>;
}

export interface Enqueued {
  id: string;
  /** false when an idempotency key matched a live job (whose ID this is). */
  created: boolean;
}

export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

export interface JobView {
  id: string;
  name: string;
  state: JobState;
  data: unknown;
  /** The handler's returned object, or for a failed attempt the serialised error. */
  output: unknown;
  /** Attempts started so far. */
  attempts: number;
  startAfter: Date;
  startedOn: Date | null;
  completedOn: Date | null;
  createdOn: Date;
}

export interface ScheduleView {
  name: string;
  cron: string;
  timeZone: string;
}

export interface JobQueue {
  /** Adds a kind of job (before `start`); with `cron`, it also runs on that schedule (UTC), one run per tick across all workers. */
  register(definition: JobDefinition<never>, schedule?: { cron: string }): void;
  /** Installs or upgrades the queue's tables and registers the jobs and schedules. Called by enqueue and startWorker when needed. */
  start(): Promise<void>;
  enqueue<T extends object>(job: JobDefinition<T> | string, data: T, options?: EnqueueOptions): Promise<Enqueued>;
  /** Runs a registered job on a cron schedule (UTC) from now on; replaces that job's earlier schedule. */
  schedule(job: JobDefinition<never> | string, cron: string, data?: object): Promise<void>;
  unschedule(job: JobDefinition<never> | string): Promise<void>;
  schedules(): Promise<ScheduleView[]>;
  getJob(job: JobDefinition<never> | string, id: string): Promise<JobView | null>;
  /**
   * Starts taking jobs: `concurrency` at once of each kind. Also runs maintenance (expiring attempts
   * that outlived their limit) and the scheduler. One worker per queue object.
   */
  startWorker(options: { concurrency: number }): Promise<void>;
  /** Stops taking jobs, waits up to timeoutMs for running ones, then fails what is left (retried later). Idempotent. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
}

/** What the queue and its handlers log through: the process logger's child for jobs (`kernel/logger.ts`). */
export type JobLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface JobQueueOptions {
  /** Seconds between a worker's polls while its queue is empty (a job enqueued in this process wakes it at once). Default 2. */
  pollingIntervalSeconds?: number;
  /** Seconds between maintenance runs (expiry, archiving) across all workers. Default 60. */
  maintenanceIntervalSeconds?: number;
  /** Seconds between the scheduler's checks for due schedules (a run starts up to twice this after its tick). Default 10, at most 45. */
  schedulerIntervalSeconds?: number;
  /** Default: a logger of its own on standard error at info. */
  log?: JobLogger;
}

const LIVE_STATES: ReadonlySet<string> = new Set(['created', 'retry', 'active']);
const KEY_RETENTION_DAYS = 15;

/**
 * The queue over an open database. Creating it touches nothing; `start` (or the first enqueue) does.
 * @example const jobs = createJobQueue(database); jobs.register(sendMail); await jobs.enqueue(sendMail, { messageId });
 */
export function createJobQueue(database: Database, options: JobQueueOptions = {}): JobQueue {
  return new PgBossJobQueue(database, options);
}

/**
 * pg-boss's connection: our pool, with every statement tracked so a stop can wait for the last one.
 * After `close`, statements pg-boss still issues (a timer firing late) never settle instead of
 * failing on a closed pool, which pg-boss would turn into an unhandled rejection.
 */
class TrackedConnection implements PgBoss.Db {
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly pool: Database['pool']) {}

  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
    if (this.closed) return new Promise(() => {});
    const query = this.pool.query(text, values);
    this.inFlight.add(query);
    void query.then(
      () => this.inFlight.delete(query),
      () => this.inFlight.delete(query),
    );
    return query;
  }

  /** Waits until no statement has been in flight for a whole turn of the event loop, then refuses more. */
  async close(): Promise<void> {
    for (;;) {
      await Promise.allSettled([...this.inFlight]);
      await new Promise((resolve) => setImmediate(resolve));
      if (this.inFlight.size === 0) break;
    }
    this.closed = true;
  }
}

/** pg-boss's connection inside a caller's transaction. */
function transactionConnection(trx: Kysely<Schema>): PgBoss.Db {
  return {
    executeSql: async (text, values) => {
      const result = await trx.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: result.rows };
    },
  };
}

interface Running {
  name: string;
  id: string;
  abandon(reason: Error): void;
  abandoned: boolean;
}

class PgBossJobQueue implements JobQueue {
  private readonly definitions = new Map<string, JobDefinition<never>>();
  private readonly declaredSchedules = new Map<string, string>();
  private readonly log: JobLogger;
  private readonly pollMs: number;
  private client: { boss: PgBoss; connection: TrackedConnection } | null = null;
  private starting: Promise<void> | null = null;
  private worker: { boss: PgBoss; connection: TrackedConnection; loops: Promise<void>[] } | null = null;
  private readonly running = new Set<Running>();
  private readonly idleWaiters = new Map<string, Set<() => void>>();
  /** Kinds woken while their loop was fetching rather than idle: the loop fetches again at once. */
  private readonly wokenWhileBusy = new Set<string>();
  private stopping = false;
  private stopped: Promise<void> | null = null;

  constructor(
    private readonly database: Database,
    private readonly options: JobQueueOptions,
  ) {
    this.log = options.log ?? createLogger({ level: 'info', name: 'renkei' }).child({ component: 'jobs' });
    this.pollMs = Math.max(0.5, options.pollingIntervalSeconds ?? 2) * 1000;
    // Built in: forget idempotency keys whose jobs cannot be live any more (pg-boss drops a job that has
    // not started 14 days after its start time, and an attempt lasts under a day).
    const prune = defineJob<Record<string, never>>(
      'jobs.prune-idempotency-keys',
      async () => {
        const result = await sql`DELETE FROM job_idempotency_keys WHERE start_after < now() - make_interval(days => ${KEY_RETENTION_DAYS})`.execute(
          database.db,
        );
        return { pruned: Number(result.numAffectedRows ?? 0) };
      },
      { retryLimit: 2, retryDelaySeconds: 60, expireInSeconds: 600 },
    );
    this.register(prune, { cron: '23 3 * * *' });
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
    if (!definition) throw new Error(`No job named "${name}" is registered (add it in jobs/registry.ts)`);
    return definition;
  }

  private async ready(): Promise<PgBoss> {
    await this.start();
    if (this.stopping || !this.client) throw new Error('The job queue has been stopped');
    return this.client.boss;
  }

  async enqueue<T extends object>(job: JobDefinition<T> | string, data: T, options: EnqueueOptions = {}): Promise<Enqueued> {
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
      const enqueue = (trx: Kysely<Schema>) => this.enqueueOnce(boss, trx, definition.name, key, data, settings, options.startAfter);
      result = options.trx ? await enqueue(options.trx) : await this.database.db.transaction().execute(enqueue);
    }
    if (result.created && !isFuture(options.startAfter)) this.wake(definition.name);
    return result;
  }

  /** Inside one transaction: claim the key, or find the job that holds it and create a new one only if that job is over. */
  private async enqueueOnce(
    boss: PgBoss,
    trx: Kysely<Schema>,
    name: string,
    key: string,
    data: object,
    settings: PgBoss.SendOptions,
    startAfter: Date | number | undefined,
  ): Promise<Enqueued> {
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
    if (this.worker) throw new Error('This job queue already runs a worker');
    const client = await this.ready();
    if (this.database.engine === 'pglite') await this.recoverFromDeadProcess(client);

    const connection = new TrackedConnection(this.database.pool);
    const boss = new PgBoss({
      db: connection,
      migrate: false,
      supervise: true,
      schedule: true,
      maintenanceIntervalSeconds: this.options.maintenanceIntervalSeconds ?? 60,
      cronMonitorIntervalSeconds: Math.min(45, this.options.schedulerIntervalSeconds ?? 10),
      cronWorkerIntervalSeconds: Math.min(45, this.options.schedulerIntervalSeconds ?? 10),
    });
    boss.on('error', (error) => this.log.error({ error: describe(error) }, 'worker error'));
    this.worker = { boss, connection, loops: [] };
    await boss.start();
    // Attempts that outlived their limit while no worker ran (a restart after a crash on PostgreSQL).
    await boss.expire();
    for (const definition of this.definitions.values()) {
      for (let slot = 0; slot < concurrency; slot++) this.worker.loops.push(this.loop(boss, definition));
    }
    this.log.info({ concurrency, jobs: [...this.definitions.keys()] }, 'worker started');
  }

  /**
   * PGlite: the data directory's lock lets one process in at a time, so a job still 'active' when this
   * process starts its worker was taken by a process that died (kill -9, power loss). Fail it now,
   * which counts the lost attempt and retries it (or fails it for good if none remain).
   */
  private async recoverFromDeadProcess(boss: PgBoss): Promise<void> {
    // pg-boss 10 has no public "list active jobs": this one read of its table is the exception.
    const { rows } = await this.database.pool.query<{ name: string; id: string }>(`SELECT name, id FROM pgboss.job WHERE state = 'active'`);
    const byName = new Map<string, string[]>();
    for (const row of rows) byName.set(row.name, [...(byName.get(row.name) ?? []), row.id]);
    for (const [name, ids] of byName) {
      for (const id of ids)
        await boss.fail(name, id, { message: 'The process running this job ended before it finished; recovered when the worker started again' });
      this.log.warn({ name, ids }, 'recovered jobs left running by a process that ended');
    }
  }

  private async loop(boss: PgBoss, definition: JobDefinition<never>): Promise<void> {
    while (!this.stopping) {
      let job: PgBoss.JobWithMetadata<never> | undefined;
      this.wokenWhileBusy.delete(definition.name);
      try {
        [job] = await boss.fetch<never>(definition.name, { batchSize: 1, includeMetadata: true });
      } catch (error) {
        this.log.error({ name: definition.name, error: describe(error) }, 'could not fetch jobs');
      }
      if (job) await this.run(boss, definition, job);
      else if (!this.stopping) await this.idle(definition.name);
    }
  }

  private idle(name: string): Promise<void> {
    return new Promise((resolve) => {
      // A job enqueued during the fetch that just came back empty must not wait for the next poll.
      if (this.wokenWhileBusy.delete(name)) return resolve();
      let waiters = this.idleWaiters.get(name);
      if (!waiters) this.idleWaiters.set(name, (waiters = new Set()));
      const set = waiters;
      const wake = (): void => {
        clearTimeout(timer);
        set.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, this.pollMs);
      set.add(wake);
    });
  }

  /** Wakes the idle loops of one kind of job (or all), so a job enqueued in this process starts without waiting for a poll. */
  private wake(name?: string): void {
    if (name !== undefined) this.wokenWhileBusy.add(name);
    const sets = name === undefined ? [...this.idleWaiters.values()] : [this.idleWaiters.get(name) ?? new Set<() => void>()];
    for (const set of sets) for (const wake of [...set]) wake();
  }

  private async run(boss: PgBoss, definition: JobDefinition<never>, job: PgBoss.JobWithMetadata<never>): Promise<void> {
    const controller = new AbortController();
    let interrupt: (reason: Error) => void = () => {};
    const interrupted = new Promise<never>((_, reject) => (interrupt = reject));
    interrupted.catch(() => {});
    const running: Running = {
      name: definition.name,
      id: job.id,
      abandoned: false,
      abandon: (reason) => {
        running.abandoned = true;
        controller.abort(reason);
        interrupt(reason);
      },
    };
    // Give up a little before pg-boss's own expiry, so this worker fails the attempt rather than maintenance.
    const expireMs = Math.max(1, Number(job.expireInSeconds)) * 1000;
    const timer = setTimeout(
      () => {
        const reason = new Error(`Job ran longer than its limit of ${Number(job.expireInSeconds)} s`);
        controller.abort(reason);
        interrupt(reason);
      },
      Math.max(500, expireMs - Math.min(1000, expireMs / 10)),
    );
    this.running.add(running);
    const attempt = job.retryCount + 1;
    const context: JobContext = { id: job.id, name: definition.name, attempt, maxAttempts: job.retryLimit + 1, signal: controller.signal, log: this.log };
    try {
      const handled = Promise.resolve().then(() => definition.handler(job.data, context));
      handled.catch(() => {});
      const output = await Promise.race([handled, interrupted]);
      if (running.abandoned) return;
      if (output) await boss.complete(definition.name, job.id, output);
      else await boss.complete(definition.name, job.id);
    } catch (error) {
      if (running.abandoned) return;
      this.log.warn(
        { name: definition.name, id: job.id, attempt, maxAttempts: job.retryLimit + 1, error: describe(error) },
        attempt > job.retryLimit ? 'job failed for good' : 'job attempt failed; it will be retried',
      );
      await boss.fail(definition.name, job.id, errorOutput(error)).catch((failure: unknown) => {
        this.log.error({ name: definition.name, id: job.id, error: describe(failure) }, 'could not record a job failure; it is retried after it expires');
      });
    } finally {
      clearTimeout(timer);
      this.running.delete(running);
    }
  }

  stop(options: { timeoutMs?: number } = {}): Promise<void> {
    this.stopped ??= this.shutdown(options.timeoutMs ?? 15_000);
    return this.stopped;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    this.stopping = true;
    // A start in progress finishes first, so its connection is closed below rather than left behind.
    await this.starting?.catch(() => {});
    this.wake();
    const worker = this.worker;
    if (worker) {
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        Promise.all(worker.loops).then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (!finished) {
        const left = [...this.running];
        for (const running of left) running.abandon(new Error('The worker stopped before the job finished'));
        for (const running of left) {
          await worker.boss.fail(running.name, running.id, { message: 'The worker stopped before the job finished' }).catch(() => {});
        }
        this.log.warn({ jobs: left.map(({ name, id }) => ({ name, id })) }, 'stopped with jobs still running; they will be retried');
      }
      await worker.boss.stop({ graceful: true, wait: true, close: false, timeout: 1000 });
      await worker.connection.close();
    }
    if (this.client) {
      await this.client.boss.stop({ graceful: false, wait: true, close: false });
      await this.client.connection.close();
    }
  }
}

function queueSettings(name: string, options: JobOptions): PgBoss.Queue {
  return {
    name,
    retryLimit: options.retryLimit,
    retryDelay: options.retryDelaySeconds,
    retryBackoff: options.backoff,
    expireInSeconds: options.expireInSeconds,
  };
}

function sendSettings(options: JobOptions): PgBoss.SendOptions {
  return { retryLimit: options.retryLimit, retryDelay: options.retryDelaySeconds, retryBackoff: options.backoff, expireInSeconds: options.expireInSeconds };
}

function isFuture(startAfter: Date | number | undefined): boolean {
  return startAfter instanceof Date ? startAfter.getTime() > Date.now() : typeof startAfter === 'number' && startAfter > 0;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorOutput(error: unknown): object {
  return error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { message: String(error) };
}
