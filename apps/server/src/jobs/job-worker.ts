import PgBoss from 'pg-boss';
import type { Database } from '../db/database.ts';
import type { JobContext, JobDefinition, JobLogger, JobQueueOptions } from './job-types.ts';
import { TrackedConnection, describe, errorOutput } from './pg-boss-support.ts';

// The worker side of the queue: one loop per slot and kind of job, each fetching one job at a time,
// running it under its time limit, and completing or failing it; plus maintenance and the scheduler.

interface Running {
  name: string;
  id: string;
  abandon(reason: Error): void;
  abandoned: boolean;
}

/** What the worker needs from its queue. */
export interface WorkerDeps {
  database: Database;
  options: JobQueueOptions;
  log: JobLogger;
  definitions: ReadonlyMap<string, JobDefinition<never>>;
  /** True once the queue is stopping: loops end after the job in hand. */
  stopping: () => boolean;
}

/**
 * Runs the registered jobs of one queue. Created with the queue (so `wake` works before it starts);
 * `start` takes jobs, `stop` lets running ones finish up to a deadline and fails what is left.
 */
export class JobWorker {
  private readonly pollMs: number;
  private started: { boss: PgBoss; connection: TrackedConnection; loops: Promise<void>[] } | null = null;
  private readonly running = new Set<Running>();
  private readonly idleWaiters = new Map<string, Set<() => void>>();
  /** Kinds woken while their loop was fetching rather than idle: the loop fetches again at once. */
  private readonly wokenWhileBusy = new Set<string>();

  constructor(private readonly deps: WorkerDeps) {
    this.pollMs = Math.max(0.5, deps.options.pollingIntervalSeconds ?? 2) * 1000;
  }

  get isStarted(): boolean {
    return this.started !== null;
  }

  async start(client: PgBoss, concurrency: number): Promise<void> {
    const { database, options, log, definitions } = this.deps;
    if (database.engine === 'pglite') await this.recoverFromDeadProcess(client);
    const connection = new TrackedConnection(database.pool);
    const boss = new PgBoss({
      db: connection,
      migrate: false,
      supervise: true,
      schedule: true,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 60,
      cronMonitorIntervalSeconds: Math.min(45, options.schedulerIntervalSeconds ?? 10),
      cronWorkerIntervalSeconds: Math.min(45, options.schedulerIntervalSeconds ?? 10),
    });
    boss.on('error', (error) => log.error({ error: describe(error) }, 'worker error'));
    this.started = { boss, connection, loops: [] };
    await boss.start();
    // Attempts that outlived their limit while no worker ran (a restart after a crash on PostgreSQL).
    await boss.expire();
    for (const definition of definitions.values()) {
      for (let slot = 0; slot < concurrency; slot++) this.started.loops.push(this.loop(boss, definition));
    }
    log.info({ concurrency, jobs: [...definitions.keys()] }, 'worker started');
  }

  /**
   * PGlite: the data directory's lock lets one process in at a time, so a job still 'active' when this
   * process starts its worker was taken by a process that died (kill -9, power loss). Fail it now,
   * which counts the lost attempt and retries it (or fails it for good if none remain).
   */
  private async recoverFromDeadProcess(boss: PgBoss): Promise<void> {
    // pg-boss 10 has no public "list active jobs": this one read of its table is the exception.
    const { rows } = await this.deps.database.pool.query<{ name: string; id: string }>(`SELECT name, id FROM pgboss.job WHERE state = 'active'`);
    const byName = new Map<string, string[]>();
    for (const row of rows) byName.set(row.name, [...(byName.get(row.name) ?? []), row.id]);
    for (const [name, ids] of byName) {
      for (const id of ids)
        await boss.fail(name, id, { message: 'The process running this job ended before it finished; recovered when the worker started again' });
      this.deps.log.warn({ name, ids }, 'recovered jobs left running by a process that ended');
    }
  }

  private async loop(boss: PgBoss, definition: JobDefinition<never>): Promise<void> {
    while (!this.deps.stopping()) {
      let job: PgBoss.JobWithMetadata<never> | undefined;
      this.wokenWhileBusy.delete(definition.name);
      try {
        [job] = await boss.fetch<never>(definition.name, { batchSize: 1, includeMetadata: true });
      } catch (error) {
        this.deps.log.error({ name: definition.name, error: describe(error) }, 'could not fetch jobs');
      }
      if (job) await this.run(boss, definition, job);
      else if (!this.deps.stopping()) await this.idle(definition.name);
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
  wake(name?: string): void {
    if (name !== undefined) this.wokenWhileBusy.add(name);
    const sets = name === undefined ? [...this.idleWaiters.values()] : [this.idleWaiters.get(name) ?? new Set<() => void>()];
    for (const set of sets) for (const wake of [...set]) wake();
  }

  private async run(boss: PgBoss, definition: JobDefinition<never>, job: PgBoss.JobWithMetadata<never>): Promise<void> {
    const { log } = this.deps;
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
    const context: JobContext = { id: job.id, name: definition.name, attempt, maxAttempts: job.retryLimit + 1, signal: controller.signal, log };
    try {
      const handled = Promise.resolve().then(() => definition.handler(job.data, context));
      handled.catch(() => {});
      const output = await Promise.race([handled, interrupted]);
      if (running.abandoned) return;
      if (output) await boss.complete(definition.name, job.id, output);
      else await boss.complete(definition.name, job.id);
    } catch (error) {
      if (running.abandoned) return;
      log.warn(
        { name: definition.name, id: job.id, attempt, maxAttempts: job.retryLimit + 1, error: describe(error) },
        attempt > job.retryLimit ? 'job failed for good' : 'job attempt failed; it will be retried',
      );
      await boss.fail(definition.name, job.id, errorOutput(error)).catch((failure: unknown) => {
        log.error({ name: definition.name, id: job.id, error: describe(failure) }, 'could not record a job failure; it is retried after it expires');
      });
    } finally {
      clearTimeout(timer);
      this.running.delete(running);
    }
  }

  /** Called once the queue is stopping: waits up to timeoutMs for the loops, fails what still runs, closes. */
  async stop(timeoutMs: number): Promise<void> {
    this.wake();
    const worker = this.started;
    if (!worker) return;
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
      this.deps.log.warn({ jobs: left.map(({ name, id }) => ({ name, id })) }, 'stopped with jobs still running; they will be retried');
    }
    await worker.boss.stop({ graceful: true, wait: true, close: false, timeout: 1000 });
    await worker.connection.close();
  }
}
