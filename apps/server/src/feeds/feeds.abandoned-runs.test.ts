import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTAKE, insertDirectoryKey, makeKey } from '../mail/mail-test-kit.ts';
import { systemContext } from '../policy/actor.ts';
import { type TestApp, createTestApp } from '../testing/test-app.ts';
import { type TestRecipient, addRecipient, shadowserverCsv } from './feeds-test-kit.ts';
import { insertRun, markRunFailed } from './feeds.repository.ts';
import { ingestStream } from './ingest.ts';

/*
 * A run whose process dies mid-file (kill -9, a lost machine) has stored some batches and never ends.
 * None of its events may go out in a notification, and once it has been silent long enough it is failed
 * and its events removed, so that ingesting the file again stores every row.
 */

let t: TestApp;
let isp: TestRecipient;
const ctx = systemContext('test');
const rows = Array.from({ length: 40 }, (_, i) => ({ ip: `198.51.100.${i + 1}`, port: 123 }));

beforeAll(async () => {
  t = await createTestApp();
  await insertDirectoryKey(t.database, await makeKey(INTAKE), { email: INTAKE, instance: true });
  isp = await addRecipient(t.database, { name: 'Example ISP', net: '198.51.100', abuse: 'abuse@example-isp.jp' });
});
afterAll(() => t.close());

/** A run as a process would leave it when killed: the header and 40 rows stored in batches, then no more input, ever. */
async function runThatHangs(): Promise<string> {
  const runId = await insertRun(t.database.db, {
    origin: 'scan_ntp.csv',
    sourceId: null,
    format: 'shadowserver',
    mappingName: null,
    originalSha256: null,
    startedBy: 'test',
  });
  const resolver = await t.services.networkLookup.bulkResolver(ctx);
  let stored!: () => void;
  const allStored = new Promise<void>((resolve) => (stored = resolve));
  async function* input(): AsyncGenerator<Buffer> {
    const csv = shadowserverCsv(rows);
    yield csv;
    // One more chunk lets the reader flush the last full batch; then the input never continues.
    yield Buffer.alloc(0);
    stored();
    await new Promise(() => undefined);
  }
  void ingestStream(t.database.db, runId, input(), resolver, { reading: { format: 'shadowserver', reportType: 'ntp' }, tlp: 'amber', batchSize: 10 });
  await allStored;
  for (let tries = 0; (await eventsOf(runId)).length < 40; tries++) {
    if (tries > 200) throw new Error('the hanging run never stored its 40 events');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return runId;
}

const eventsOf = (runId: string) => t.database.db.selectFrom('feed_events').select(['id', 'notification_id']).where('run_id', '=', runId).execute();
const runOf = (runId: string) => t.database.db.selectFrom('feed_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();

describe('a feed run whose process died', () => {
  let hung: string;

  beforeAll(async () => {
    hung = await runThatHangs();
  });

  it('Should send none of its stored events in a notification while it has not finished', async () => {
    expect((await runOf(hung)).state).toBe('running');
    const { notifications } = await t.services.feeds.notifyDue(ctx, { force: true });
    expect(notifications.filter((n) => n.recipient === isp.abuse)).toEqual([]);
    expect((await eventsOf(hung)).every((e) => e.notification_id === null)).toBe(true);
  });

  it('Should leave a run alone while its process shows signs of life', async () => {
    expect(await t.services.feeds.failAbandonedRuns(ctx)).toEqual([]);
    expect((await runOf(hung)).state).toBe('running');
  });

  it('Should fail it once silent for long, remove its events with an audit entry, and let the file be ingested again in full', async () => {
    // Its process is gone: no sign of life for an hour.
    await sql`UPDATE feed_runs SET heartbeat_at = now() - interval '1 hour' WHERE id = ${hung}`.execute(t.database.db);
    expect(await t.services.feeds.failAbandonedRuns(ctx)).toEqual([{ id: hung, eventsRemoved: 40 }]);
    const failed = await runOf(hung);
    expect(failed).toMatchObject({ state: 'failed', events_stored: 0 });
    expect(failed.error).toMatch(/^Abandoned: its process stopped/);
    expect(await eventsOf(hung)).toEqual([]);
    const audit = await t.database.db.selectFrom('audit_log').select(['target_id']).where('action', '=', 'feeds.run_abandoned').execute();
    expect(audit.map((a) => a.target_id)).toEqual([hung]);
    // A second sweep finds nothing more.
    expect(await t.services.feeds.failAbandonedRuns(ctx)).toEqual([]);

    const again = await t.services.feeds.ingestBuffer(ctx, 'scan_ntp.csv', shadowserverCsv(rows), { format: 'shadowserver' });
    expect(again).toMatchObject({ state: 'completed', eventsStored: 40, duplicates: 0 });
    const { notifications } = await t.services.feeds.notifyDue(ctx, { force: true });
    expect(notifications.filter((n) => n.recipient === isp.abuse).map((n) => n.eventCount)).toEqual([40]);
  });

  it('Should remove the events of a run that failed on its own, so a second try is not all duplicates', async () => {
    const runId = await insertRun(t.database.db, {
      origin: 'scan_y.csv',
      sourceId: null,
      format: 'shadowserver',
      mappingName: null,
      originalSha256: null,
      startedBy: 'test',
    });
    const resolver = await t.services.networkLookup.bulkResolver(ctx);
    async function* input(): AsyncGenerator<Buffer> {
      yield shadowserverCsv(rows.map((r) => ({ ...r, port: 161 })));
      yield Buffer.alloc(0);
      throw new Error('the connection to the source broke');
    }
    const options = { reading: { format: 'shadowserver' as const, reportType: 'snmp' }, tlp: 'amber' as const, batchSize: 10 };
    await expect(ingestStream(t.database.db, runId, input(), resolver, options)).rejects.toThrow(/connection to the source broke/);
    expect((await eventsOf(runId)).length).toBe(40);
    await markRunFailed(t.database.db, runId, 'the connection to the source broke', 1);
    expect(await runOf(runId)).toMatchObject({ state: 'failed', events_stored: 0 });
    expect(await eventsOf(runId)).toEqual([]);
  });
});
