import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.ts';
import { systemContext } from '../policy/actor.ts';
import { type TestApp, createTestApp } from '../testing/test-app.ts';
import { INTAKE, insertDirectoryKey, makeKey, startSink } from './mail-test-kit.ts';
import { SEND_JOB } from './outbound.service.ts';

// A real `renkei worker` process hands a message to a real SMTP sink that keeps the message but holds
// back its answer; the worker is killed there, between the relay taking the message and the worker
// recording it. The restarted worker must not hand the message over a second time (decision 0100).

const bin = path.resolve(import.meta.dirname, '../../bin/renkei.mjs');
const onPostgres = Boolean(process.env.DATABASE_URL);

let sink: Awaited<ReturnType<typeof startSink>>;
let t: TestApp;
let dataDir: string;
let databaseUrl: string | null = null;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  sink = await startSink();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-outbox-'));
  t = await createTestApp({ RENKEI_DATA_DIR: dataDir, ...mailEnv() });
  if (onPostgres) {
    const { rows } = await t.database.pool.query<{ name: string }>('SELECT current_database() AS name');
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${rows[0]!.name}`;
    databaseUrl = url.toString();
  }
  const instance = await makeKey(INTAKE);
  await insertDirectoryKey(t.database, instance, { email: INTAKE, instance: true });
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await t.services.jobs.stop({ timeoutMs: 2000 });
  await t.close();
  await sink.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** The job's retry delay and expiry are written with it when it is queued, so the queueing app needs them too. */
function mailEnv(): NodeJS.ProcessEnv {
  return { RENKEI_INTAKE_ADDRESS: INTAKE, RENKEI_SMTP_RELAY: sink.url, RENKEI_MAIL_RETRY_SECONDS: '1', RENKEI_MAIL_SEND_TIMEOUT_SECONDS: '4' };
}

interface Worker {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function startWorker(): Worker {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('RENKEI_') && key !== 'DATABASE_URL') env[key] = value;
  Object.assign(env, {
    RENKEI_DATA_DIR: dataDir,
    RENKEI_SEED_DEMO: '0',
    RENKEI_WORKERS: '1',
    RENKEI_JOB_POLL_SECONDS: '1',
    RENKEI_JOB_MAINTENANCE_SECONDS: '1',
    RENKEI_LOG_LEVEL: 'info',
    ...mailEnv(),
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

async function waitFor(what: string, probe: () => boolean, worker: Worker, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. Worker output:\n${worker.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The message's row and its delivery job, read where the workers keep them (on PGlite, with no worker running). */
async function readOutbox(messageId: string, jobId: string): Promise<{ status: string; sendAttempts: number; job: string | undefined }> {
  const database = onPostgres ? t.database : await openDatabase({ kind: 'pglite', dataDir, holder: 'outbox test' });
  try {
    const row = await database.db.selectFrom('mail_messages').select(['status', 'send_attempts']).where('id', '=', messageId).executeTakeFirstOrThrow();
    const job = await database.pool.query<{ state: string }>(
      'SELECT state FROM pgboss.job WHERE id = $1 UNION ALL SELECT state FROM pgboss.archive WHERE id = $1',
      [jobId],
    );
    return { status: row.status, sendAttempts: row.send_attempts, job: job.rows[0]?.state };
  } finally {
    if (!onPostgres) await database.close();
  }
}

describe('a worker killed between the relay taking a message and recording it', () => {
  it('Should not hand the message to the relay again after a restart, and mark it unconfirmed', async () => {
    await t.services.jobs.start();
    const message = await t.services.mail.send(systemContext('test'), {
      to: 'abuse@isp.example',
      subject: 'Compromised host in your network',
      text: 'Details follow.',
      tlp: 'TLP:GREEN',
    });
    const job = await t.database.pool.query<{ id: string }>(`SELECT id FROM pgboss.job WHERE name = '${SEND_JOB}' AND data->>'messageId' = $1`, [message.id]);
    const jobId = job.rows[0]!.id;
    await t.services.jobs.stop({ timeoutMs: 2000 });
    if (!onPostgres) {
      // A worker owns its data directory: the queued message goes there as the directory's database.
      const copy = await PGlite.create(path.join(dataDir, 'pgdata'), { loadDataDir: await t.database.pglite!.dumpDataDir('none') });
      await copy.close();
    }

    sink.holdNextReply();
    const first = startWorker();
    await waitFor('the relay to receive the message', () => sink.messages.length === 1, first);
    first.child.kill('SIGKILL');
    await first.exited;
    expect((await readOutbox(message.id, jobId)).status).toBe('sending');

    // The restarted worker gets the job back (at once on PGlite, after the attempt's 4 s expiry on
    // PostgreSQL) and retries it a second or two later; run it (stopping to read, on PGlite) until that retry has completed.
    let outbox = await readOutbox(message.id, jobId);
    for (let round = 0; round < 8 && outbox.job !== 'completed'; round++) {
      const worker = startWorker();
      await waitFor('the worker to start', () => /worker started/.test(worker.output()), worker);
      await new Promise((resolve) => setTimeout(resolve, 5000));
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      outbox = await readOutbox(message.id, jobId);
    }
    expect(outbox).toEqual({ status: 'unconfirmed', sendAttempts: 1, job: 'completed' });
    expect(sink.messages).toHaveLength(1);
    expect(sink.attempts()).toBe(1);
    expect(sink.messages[0]!.raw.toString('latin1')).toContain(`<${message.messageId}>`);
  }, 120_000);
});
