import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../db/database.ts';
import { openTestDatabase } from '../testing/test-database.ts';
import { type JobLogger, type JobQueue, createJobQueue } from './job-queue.ts';
import { PROBE_JOB, type ProbeEvent, readProbeEvents, testJobDefinitions } from './test-jobs.ts';

// Real `renkei worker` processes (the CLI entry, through tsx) on a test database, with the test-only
// probe job (RENKEI_TEST_JOBS=1), which logs its runs to <dataDir>/test-jobs.log.

const bin = path.resolve(import.meta.dirname, '../../bin/renkei.mjs');
const onPostgres = Boolean(process.env.DATABASE_URL);
const silent: JobLogger = { info: () => {}, warn: () => {}, error: () => {} };

let database: Database;
/** PostgreSQL: this file's database, for the child processes. */
let databaseUrl: string | null = null;
const children = new Set<ChildProcess>();
const dataDirs: string[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  if (onPostgres) {
    const { rows } = await database.pool.query<{ name: string }>('SELECT current_database() AS name');
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${rows[0]!.name}`;
    databaseUrl = url.toString();
  }
});
afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});
afterAll(async () => {
  await database.close();
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function newDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-jobs-'));
  dataDirs.push(dir);
  return dir;
}

function queueOver(db: Database, dataDir: string): JobQueue {
  const queue = createJobQueue(db, { log: silent });
  for (const definition of testJobDefinitions({ dataDir })) queue.register(definition);
  return queue;
}

/**
 * The database the workers use: on PostgreSQL this file's database; on PGlite a data directory made
 * from it (a worker owns its directory, so jobs go in first, through `prepare`).
 */
async function workerDatabase(dataDir: string, prepare: (queue: JobQueue) => Promise<void>): Promise<void> {
  const queue = queueOver(database, dataDir);
  await prepare(queue);
  await queue.stop();
  if (onPostgres) return;
  const dump = await database.pglite!.dumpDataDir('none');
  const copy = await PGlite.create(path.join(dataDir, 'pgdata'), { loadDataDir: dump });
  await copy.close();
}

/** Reads the workers' database after they have exited (on PGlite, by opening the directory in turn). */
async function withWorkerQueue<T>(dataDir: string, read: (queue: JobQueue) => Promise<T>): Promise<T> {
  const db = onPostgres ? database : await openDatabase({ kind: 'pglite', dataDir, holder: 'job test' });
  const queue = queueOver(db, dataDir);
  try {
    return await read(queue);
  } finally {
    await queue.stop();
    if (!onPostgres) await db.close();
  }
}

interface Worker {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function startWorker(dataDir: string): Worker {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('RENKEI_') && key !== 'DATABASE_URL') env[key] = value;
  Object.assign(env, {
    RENKEI_DATA_DIR: dataDir,
    RENKEI_SEED_DEMO: '0',
    RENKEI_TEST_JOBS: '1',
    RENKEI_WORKERS: '2',
    RENKEI_JOB_POLL_SECONDS: '1',
    RENKEI_JOB_MAINTENANCE_SECONDS: '1',
    RENKEI_LOG_LEVEL: 'warn',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  const child = spawn(process.execPath, [bin, 'worker'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, workers: Worker[], timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. Worker output:\n${workers.map((w) => w.output()).join('\n---\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function eventsOf(dataDir: string, tag: string): ProbeEvent[] {
  return readProbeEvents(dataDir).filter((event) => event.tag === tag);
}

describe('a worker killed mid-job', () => {
  it('Should run the job again after a restart and complete it exactly once', async () => {
    const dataDir = newDataDir();
    let jobId = '';
    await workerDatabase(dataDir, async (queue) => {
      jobId = (await queue.enqueue(PROBE_JOB, { tag: 'killed', blockOnAttempt: 1 })).id;
    });

    const first = startWorker(dataDir);
    let refused: Promise<number | null> | null = null;
    if (!onPostgres) {
      // The embedded database is one process's: a second worker is refused, so an 'active' job found at start is a dead process's.
      await waitFor('the first worker to take the lock', () => fs.existsSync(path.join(dataDir, 'renkei.lock')), [first]);
      const second = startWorker(dataDir);
      refused = second.exited.then((code) => {
        expect(second.output()).toMatch(/in use by "renkei worker"/);
        return code;
      });
    }
    await waitFor('the first attempt to start', () => eventsOf(dataDir, 'killed').length === 1, [first]);
    if (refused) expect(await refused).toBe(3);
    first.child.kill('SIGKILL');
    await first.exited;

    const restarted = startWorker(dataDir);
    await waitFor('the job to complete after the restart', () => eventsOf(dataDir, 'killed').some((e) => e.event === 'done'), [restarted]);
    restarted.child.kill('SIGTERM');
    expect(await restarted.exited).toBe(0);

    const events = eventsOf(dataDir, 'killed');
    expect(events.map(({ event, attempt }) => `${event}#${attempt}`)).toEqual(['start#1', 'start#2', 'done#2']);
    expect(events[0]!.pid).toBe(first.child.pid);
    expect(events[2]!.pid).toBe(restarted.child.pid);
    const job = await withWorkerQueue(dataDir, (queue) => queue.getJob(PROBE_JOB, jobId));
    expect(job).toMatchObject({ state: 'completed', attempts: 2, output: { tag: 'killed' } });
  }, 60_000);
});

describe.runIf(onPostgres)('several workers on PostgreSQL', () => {
  it('Should never run one job in two worker processes', async () => {
    const dataDir = newDataDir();
    await workerDatabase(dataDir, async () => {});
    const workers = [startWorker(dataDir), startWorker(dataDir)];
    await waitFor('both workers to start', () => workers.every((w) => /worker is running/.test(w.output())), workers);

    const queue = queueOver(database, dataDir);
    const tags = Array.from({ length: 50 }, (_, i) => `pair-${i}`);
    try {
      for (const tag of tags) await queue.enqueue(PROBE_JOB, { tag, sleepMs: 100 });
    } finally {
      await queue.stop();
    }
    const isPair = (event: ProbeEvent) => event.tag.startsWith('pair-');
    await waitFor('all 50 jobs to complete', () => readProbeEvents(dataDir).filter((e) => isPair(e) && e.event === 'done').length >= 50, workers);
    for (const worker of workers) worker.child.kill('SIGTERM');
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);

    const events = readProbeEvents(dataDir).filter(isPair);
    for (const tag of tags) {
      expect(
        events.filter((e) => e.tag === tag).map((e) => e.event),
        tag,
      ).toEqual(['start', 'done']);
    }
    // Both processes took part (each polls every second; the jobs take 2.5 s of work for one process alone).
    expect(new Set(events.map((e) => e.pid))).toEqual(new Set(workers.map((w) => w.child.pid)));
  }, 60_000);
});
