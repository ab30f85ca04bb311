import type { Logger } from '../kernel/logger.ts';
import type { JobName, JobPayloads } from './job-payloads.ts';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema/index.ts';

export type { JobName, JobPayloads, NoPayload } from './job-payloads.ts';

// The job queue's public shapes and `defineJob`; `job-queue.ts` re-exports them, so callers import from there.

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
 * Declares a kind of job listed in `JobPayloads`: its name (`<domain>.<verb-object>`), its handler (typed
 * by that payload), its retry and expiry policy.
 * @example const sendMail = defineJob('mail.send-message', async ({ messageId }) => { ... }, { retryLimit: 8 });
 */
export function defineJob<N extends JobName>(name: N, handler: JobHandler<JobPayloads[N]>, options: Partial<JobOptions> = {}): JobDefinition<JobPayloads[N]> {
  return defineUntypedJob(name, handler, options);
}

/** A job whose name is not in `JobPayloads`: for the queue's own tests, which make names on the fly. */
export function defineUntypedJob<T extends object>(name: string, handler: JobHandler<T>, options: Partial<JobOptions> = {}): JobDefinition<T> {
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
  /** By name (the payload is checked against `JobPayloads`) or by definition. */
  enqueue<N extends JobName>(job: N, data: JobPayloads[N], options?: EnqueueOptions): Promise<Enqueued>;
  enqueue<T extends object>(job: JobDefinition<T>, data: T, options?: EnqueueOptions): Promise<Enqueued>;
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
  log?: JobLogger;
}
