import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailService, createMailService, directoryKeyRing } from '../mail/index.ts';
import { INTAKE, type MailHarness, rfc822, startMailHarness, waitFor } from '../mail/mail-test-kit.ts';
import { systemContext } from '../policy/actor.ts';
import { INTAKE_MAIL_JOB, SWEEP_MAIL_INTAKE_JOB } from './incidents.jobs.ts';

let h: MailHarness;
/** The mail service as a process that died right after the commit leaves it: the message stored, no intake job. */
let crashed: MailService;

beforeAll(async () => {
  h = await startMailHarness();
  const { database, services, config } = h.t;
  crashed = createMailService(
    { db: database.db, blobs: services.blobs, jobs: services.jobs, keyRing: directoryKeyRing(database.db, { passphrase: null }) },
    {
      intakeAddress: INTAKE,
      relayUrl: null,
      sizeLimitBytes: config.mailSizeLimitBytes,
      limits: { maxParts: config.mailMaxParts, maxHeaderBytes: config.mailMaxHeaderBytes },
    },
  );
  await services.jobs.startWorker({ concurrency: 2 });
});
afterAll(async () => h.close());

/** Stores a message without its intake job, received two minutes ago (past the sweeper's one-minute grace). */
async function storeWithoutJob(raw: string, minutesAgo = 2): Promise<string> {
  const stored = await crashed.receive(
    (async function* () {
      yield Buffer.from(raw);
    })(),
    { mailFrom: 'sender@example.org', rcptTo: [INTAKE], clientAddress: '127.0.0.1' },
  );
  expect(stored.duplicate).toBe(false);
  await sql`UPDATE mail_messages SET received_at = now() - make_interval(mins => ${minutesAgo}) WHERE id = ${stored.id}`.execute(h.t.database.db);
  return stored.id;
}

/** Runs the sweep with the intake's own enqueue, then waits until every intake job it made has finished. */
async function sweep(): Promise<{ found: number; enqueued: number; swept: string[] }> {
  const { jobs, incidents } = h.t.services;
  const made: string[] = [];
  const swept: string[] = [];
  const result = await incidents.sweepMailIntake(async (messageId) => {
    swept.push(messageId);
    const enqueued = await jobs.enqueue(INTAKE_MAIL_JOB, { messageId }, { idempotencyKey: messageId });
    made.push(enqueued.id);
    return enqueued;
  });
  for (const id of made)
    await waitFor(
      () => jobs.getJob(INTAKE_MAIL_JOB, id),
      (job) => job?.state === 'completed',
      20_000,
    );
  return { ...result, swept };
}

const reportsOf = (messageId: string) => h.t.database.db.selectFrom('reports').select(['id', 'channel']).where('mail_message_id', '=', messageId).execute();
const messageInEvents = (messageId: string) =>
  h.t.database.db
    .selectFrom('incident_events')
    .select('id')
    .where('kind', '=', 'message_in')
    .where(sql<boolean>`data->>'mailMessageId' = ${messageId}`)
    .execute();

describe('incidents.sweep-mail-intake', () => {
  it('Should file a message whose intake job was lost exactly once, however often it runs', async () => {
    const id = await storeWithoutJob(
      rfc822(
        { From: 'reporter@example.jp', To: INTAKE, Subject: 'Lost phishing report', 'Content-Type': 'text/plain; charset=utf-8' },
        'hxxp://lost-phish[.]example/login',
      ),
    );
    const fresh = await storeWithoutJob(
      rfc822({ From: 'reporter@example.jp', To: INTAKE, Subject: 'Just arrived', 'Content-Type': 'text/plain' }, 'still in its minute'),
      0,
    );
    expect(await reportsOf(id)).toEqual([]);

    const first = await sweep();
    expect(first.swept).toContain(id);
    expect(first.swept).not.toContain(fresh);
    expect(await reportsOf(id)).toEqual([expect.objectContaining({ channel: 'email' })]);

    const second = await sweep();
    expect(second.swept).not.toContain(id);
    expect(await reportsOf(id)).toHaveLength(1);
    // The intake itself, run again for the same message, leaves it alone too.
    await expect(h.t.services.incidents.intakeMail(id)).resolves.toMatchObject({ outcome: 'exists' });
    expect(await reportsOf(id)).toHaveLength(1);
  });

  it('Should never file a DSN as a report, nor sweep it again', async () => {
    const dsn = await storeWithoutJob(
      rfc822(
        {
          From: 'MAILER-DAEMON@relay.example',
          To: INTAKE,
          Subject: 'Undelivered Mail Returned to Sender',
          'Auto-Submitted': 'auto-replied',
          'Content-Type': 'multipart/report; report-type=delivery-status; boundary="r"',
        },
        [
          '--r\nContent-Type: text/plain\n\nYour message could not be delivered.\n',
          '--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; relay.example\n\nFinal-Recipient: rfc822; abuse@plain.example\nAction: failed\nStatus: 5.1.1\n',
          '--r--\n',
        ].join(''),
      ),
    );
    const flags = (await h.t.database.db.selectFrom('mail_messages').select('flags').where('id', '=', dsn).executeTakeFirstOrThrow()).flags;
    expect(flags).toContain('dsn');
    expect((await sweep()).swept).not.toContain(dsn);
    expect(await reportsOf(dsn)).toEqual([]);
  });

  it('Should record a lost coordination reply on the incident once, and file no report for it', async () => {
    const { incidents, mail } = h.t.services;
    const ctx = systemContext('test');
    const created = await incidents.createReport(ctx, {
      channel: 'api',
      title: 'Phishing',
      category: 'phishing',
      observables: ['http://sweep-phish.example/'],
    });
    const incident = await incidents.createIncident(ctx, { reportIds: [created.report.id] });
    const coordination = await incidents.createCoordination(ctx, incident.id, { role: 'isp', contactEmail: 'abuse@hosting.example', language: 'en' });
    const thread = await mail.ensureThread(coordination.threadKey, 'Takedown request');
    await h.t.database.db.updateTable('coordinations').set({ mail_thread_id: thread.id }).where('id', '=', coordination.id).execute();

    const reply = await storeWithoutJob(
      rfc822({ From: 'abuse@hosting.example', To: INTAKE, Subject: `Re: [${coordination.threadKey}] Takedown request`, 'Content-Type': 'text/plain' }, 'Done.'),
    );
    const stored = await h.t.database.db.selectFrom('mail_messages').select(['thread_id', 'flags']).where('id', '=', reply).executeTakeFirstOrThrow();
    expect(stored).toEqual({ thread_id: thread.id, flags: [] });

    expect((await sweep()).swept).toContain(reply);
    expect(await messageInEvents(reply)).toHaveLength(1);
    expect(await reportsOf(reply)).toEqual([]);

    expect((await sweep()).swept).not.toContain(reply);
    await expect(incidents.intakeMail(reply)).resolves.toMatchObject({ outcome: 'exists' });
    expect(await messageInEvents(reply)).toHaveLength(1);
    expect(await reportsOf(reply)).toEqual([]);
  });

  it('Should be registered every 5 minutes', async () => {
    const schedules = await h.t.services.jobs.schedules();
    expect(schedules).toContainEqual(expect.objectContaining({ name: SWEEP_MAIL_INTAKE_JOB, cron: '*/5 * * * *' }));
  });
});
