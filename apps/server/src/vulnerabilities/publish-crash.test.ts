import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.ts';
import { publishPauseFile, readProbeEvents } from '../jobs/test-jobs.ts';
import { INTAKE, insertDirectoryKey, makeKey, startSink } from '../mail/mail-test-kit.ts';
import { systemContext } from '../policy/actor.ts';
import { type TestApp, type TestUser, createTestApp } from '../testing/test-app.ts';
import { approve, caseWithVulnerability, draft, wholeMinuteAfter } from './advisories-test-kit.ts';
import { PUBLISH_JOB } from './publication.ts';
import { createVulnerabilitiesService } from './vulnerabilities.service.ts';

// Real `renkei worker` processes publish a case whose embargo instant has come. The first is killed with
// SIGKILL inside the publishing transaction (everything written, the case row locked, not committed: the
// test-only pause of RENKEI_TEST_JOBS=1). After the restart (two racing workers on PostgreSQL; one on
// PGlite, whose data directory is one process's) the case must be published exactly once, with one public
// ID and no gap in the counter, however many publish jobs ran.

const bin = path.resolve(import.meta.dirname, '../../bin/renkei.mjs');
const onPostgres = Boolean(process.env.DATABASE_URL);

let sink: Awaited<ReturnType<typeof startSink>>;
let t: TestApp;
let dataDir: string;
let databaseUrl: string | null = null;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  sink = await startSink();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-publish-'));
  t = await createTestApp({ RENKEI_DATA_DIR: dataDir, ...env() });
  if (onPostgres) {
    const { rows } = await t.database.pool.query<{ name: string }>('SELECT current_database() AS name');
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `/${rows[0]!.name}`;
    databaseUrl = url.toString();
  }
  await insertDirectoryKey(t.database, await makeKey(INTAKE), { email: INTAKE, instance: true });
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await t.services.jobs.stop({ timeoutMs: 2000 });
  await t.close();
  await sink.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  return { RENKEI_INTAKE_ADDRESS: INTAKE, RENKEI_SMTP_RELAY: sink.url };
}

interface Worker {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function startWorker(): Worker {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('RENKEI_') && key !== 'DATABASE_URL') childEnv[key] = value;
  Object.assign(childEnv, {
    RENKEI_DATA_DIR: dataDir,
    RENKEI_SEED_DEMO: '0',
    RENKEI_TEST_JOBS: '1',
    RENKEI_WORKERS: '2',
    RENKEI_JOB_POLL_SECONDS: '1',
    RENKEI_JOB_MAINTENANCE_SECONDS: '1',
    RENKEI_LOG_LEVEL: 'info',
    ...env(),
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  });
  const child = spawn(process.execPath, [bin, 'worker'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, workers: Worker[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}. Worker output:\n${workers.map((w) => w.output()).join('\n---\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Outcome {
  publications: { public_id: string; revision_number: number; published_by: string }[];
  case: { status: string; public_id: string | null };
  counter: number | null;
  publishedEvents: number;
  audits: number;
  jobs: { state: string; output: { published?: boolean; reason?: string } | null }[];
}

/** What the workers left, read where they keep it (on PGlite, with no worker running). */
async function readOutcome(caseId: string): Promise<Outcome> {
  const database = onPostgres ? t.database : await openDatabase({ kind: 'pglite', dataDir, holder: 'publish test' });
  try {
    const { db } = database;
    const publications = await db
      .selectFrom('advisory_publications')
      .select(['public_id', 'revision_number', 'published_by'])
      .where('case_id', '=', caseId)
      .execute();
    const row = await db.selectFrom('vulnerability_cases').select(['status', 'public_id']).where('id', '=', caseId).executeTakeFirstOrThrow();
    const counter = await db.selectFrom('vulnerability_counters').select('value').where('prefix', '=', 'JVN').where('year', '=', 0).executeTakeFirst();
    const events = await db.selectFrom('case_events').select('id').where('case_id', '=', caseId).where('kind', '=', 'published').execute();
    const audits = await db.selectFrom('audit_log').select('seq').where('target_id', '=', caseId).where('action', '=', 'case.publish').execute();
    const jobs = await database.pool.query<Outcome['jobs'][number]>(
      'SELECT state, output FROM pgboss.job WHERE name = $1 UNION ALL SELECT state, output FROM pgboss.archive WHERE name = $1',
      [PUBLISH_JOB],
    );
    return { publications, case: row, counter: counter?.value ?? null, publishedEvents: events.length, audits: audits.length, jobs: jobs.rows };
  } finally {
    if (!onPostgres) await database.close();
  }
}

describe('a worker killed while publishing at the embargo instant', () => {
  it('Should leave nothing half-done, and after the restart publish the case exactly once with one public ID and no gap', async () => {
    await t.services.jobs.start();
    const coordinator: TestUser = await t.createUser(['coordinator']);
    const publisher: TestUser = await t.createUser(['publisher']);
    const { caseId } = await caseWithVulnerability(t, coordinator);
    await draft(t, coordinator, caseId);
    await approve(t, publisher, caseId, 1);
    // Agreed in advance (a service whose clock runs 5 minutes behind): the instant is a minute ago, so the job is due.
    const behind = createVulnerabilitiesService(
      { db: t.database.db, mail: t.services.mail, blobs: t.services.blobs, contacts: t.services.contacts, jobs: t.services.jobs },
      { now: () => new Date(Date.now() - 5 * 60_000) },
    );
    const system = systemContext('test');
    const proposed = await behind.proposeEmbargo(system, caseId, { releaseAt: wholeMinuteAfter(new Date(), -1).toISOString() });
    await behind.decideEmbargo(system, caseId, proposed.id, { decision: 'accepted' });
    // Two more publishers of the same case (as after a duplicate enqueue): they race the keyed one.
    for (let i = 0; i < 2; i++) await t.services.jobs.enqueue(PUBLISH_JOB, { caseId, embargoId: proposed.id });
    await t.services.jobs.stop({ timeoutMs: 2000 });
    if (!onPostgres) {
      const copy = await PGlite.create(path.join(dataDir, 'pgdata'), { loadDataDir: await t.database.pglite!.dumpDataDir('none') });
      await copy.close();
    }

    fs.writeFileSync(publishPauseFile(dataDir), '');
    const first = startWorker();
    await waitUntil('a publisher to pause before its commit', () => readProbeEvents(dataDir).some((e) => e.event === 'pause' && e.tag === caseId), [first]);
    first.child.kill('SIGKILL');
    await first.exited;
    const pause = readProbeEvents(dataDir).find((e) => e.event === 'pause')!;
    expect(pause.pid).toBe(first.child.pid);
    const afterKill = await readOutcome(caseId);
    expect(afterKill).toMatchObject({ publications: [], case: { status: 'scheduled', public_id: null }, counter: null, publishedEvents: 0, audits: 0 });

    const settled = (o: Outcome) => o.jobs.length === 3 && o.jobs.every((j) => j.state === 'completed');
    let outcome = afterKill;
    if (onPostgres) {
      const racing = [startWorker(), startWorker()];
      await waitUntil('every publish job to complete', async () => settled((outcome = await readOutcome(caseId))), racing, 110_000);
      for (const worker of racing) worker.child.kill('SIGTERM');
      expect(await Promise.all(racing.map((w) => w.exited))).toEqual([0, 0]);
    } else {
      for (let round = 0; round < 10 && !settled(outcome); round++) {
        const worker = startWorker();
        await waitUntil('the worker to start', () => /worker started/.test(worker.output()), [worker]);
        await new Promise((resolve) => setTimeout(resolve, 5000));
        worker.child.kill('SIGTERM');
        expect(await worker.exited).toBe(0);
        outcome = await readOutcome(caseId);
      }
    }

    expect(outcome.publications).toEqual([{ public_id: 'JVN#00000001', revision_number: 1, published_by: expect.stringMatching(/^(job|sweeper)$/) }]);
    expect(outcome.case).toEqual({ status: 'published', public_id: 'JVN#00000001' });
    expect(outcome.counter).toBe(1);
    expect(outcome.publishedEvents).toBe(1);
    expect(outcome.audits).toBe(1);
    expect(outcome.jobs.map((j) => j.state)).toEqual(['completed', 'completed', 'completed']);
    const published = outcome.jobs.filter((j) => j.output?.published === true);
    const already = outcome.jobs.filter((j) => j.output?.reason === 'already_published');
    // One job published, or none when the sweeper got there first; every other one found it published.
    expect(published.length + already.length).toBe(3);
    expect(published.length).toBeLessThanOrEqual(1);
  }, 180_000);
});
