import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareMailOnStart } from '../app/mail-start-up.ts';
import { type Services, createServices } from '../app/services.ts';
import { createLogger } from '../kernel/logger.ts';
import { systemContext } from '../policy/actor.ts';
import type { TestUser } from '../testing/test-app.ts';
import { type MailHarness, startMailHarness, startSink, waitFor } from './mail-test-kit.ts';
import { headerValue, splitEntity } from './mime-raw.ts';
import { SEND_JOB, readBlob } from './outbound.service.ts';

// A README install has no relay: mail is composed and signed as usual and waits in the outbox as
// `held`, with no delivery job to spend retries. A restart with a relay queues it, and the outbox's
// guard (decision 0100) still sends each message once.

let h: MailHarness;
let sink: Awaited<ReturnType<typeof startSink>>;
let analyst: TestUser;
let restarted: Services | null = null;
const lines: string[] = [];
const log = createLogger({ level: 'info', name: 'test', destination: { write: (line) => void lines.push(line) } });

beforeAll(async () => {
  sink = await startSink();
  h = await startMailHarness();
  analyst = await h.t.createUser(['analyst']);
  // A worker runs, so a delivery job, were one queued, would be attempted (and counted by the sink).
  await h.t.services.jobs.startWorker({ concurrency: 1 });
});
afterAll(async () => {
  await restarted?.jobs.stop({ timeoutMs: 2000 });
  await h.close();
  await sink.close();
});

const send = (payload: object) => h.t.request(analyst, { method: 'POST', url: '/api/v1/mail/outbound', payload });
const message = async (id: string) => (await h.t.request(analyst, { url: `/api/v1/mail/messages/${id}` })).json();
const sendJobs = async () =>
  (await h.t.database.pool.query<{ state: string }>(`SELECT state FROM pgboss.job WHERE name = '${SEND_JOB}'`)).rows.map((r) => r.state);
const attemptsOf = async (id: string) =>
  (await h.t.database.db.selectFrom('mail_messages').select('send_attempts').where('id', '=', id).executeTakeFirstOrThrow()).send_attempts;
const copiesAtSink = (messageId: string) => sink.messages.filter((m) => m.raw.toString('latin1').includes(`<${messageId}>`)).length;

describe('outbound mail with no relay configured', () => {
  const waiting: { id: string; messageId: string }[] = [];

  it('Should make the instance key at start and say in the log that nothing is sent without a relay', async () => {
    const started = await prepareMailOnStart(h.t.services, h.t.config, log);
    expect(started.instanceKey).toMatchObject({ created: true, protected: false });
    expect(started.released).toBe(0);
    expect(lines.join('')).toContain('RENKEI_SMTP_RELAY is not set');
    expect(lines.join('')).toContain('RENKEI_PGP_PASSPHRASE is not set');
  });

  it('Should keep a sent message signed in the outbox, shown as not sent for want of a relay, with no delivery job', async () => {
    const response = await send({ to: 'reporter@finder.example', subject: 'Your report', text: 'Thank you for your report.', tlp: 'TLP:AMBER' });
    expect(response.statusCode).toBe(202);
    const queued = response.json();
    expect(queued).toMatchObject({ direction: 'outbound', status: 'held', deliveryStatus: 'pending' });
    const detail = await message(queued.id);
    expect(detail.statusDetail).toMatch(/no relay is configured/);
    const key = await h.t.services.contacts.instanceKeyFingerprint();
    expect(detail.pgpSignerFingerprint).toBe(key);
    const raw = await readBlob(
      h.t.services.blobs,
      (await h.t.database.db.selectFrom('mail_messages').select('raw_sha256').where('id', '=', queued.id).executeTakeFirstOrThrow()).raw_sha256,
    );
    expect(headerValue(splitEntity(raw), 'content-type')).toMatch(/^multipart\/signed/);
    const listed = (await h.t.request(analyst, { url: `/api/v1/mail/messages?direction=all&threadId=${queued.threadId}` })).json();
    expect(JSON.stringify(listed)).toContain(`"id":"${queued.id}"`);
    expect(listed.items.find((m: { id: string }) => m.id === queued.id)).toMatchObject({ status: 'held' });
    expect(await sendJobs()).toEqual([]);
    expect(await attemptsOf(queued.id)).toBe(0);
    waiting.push({ id: queued.id, messageId: queued.messageId });
  });

  it('Should let a caller prepare outside and queue inside its own transaction, the message waiting the same way', async () => {
    const ctx = systemContext('test');
    const prepared = await h.t.services.mail.prepareSend(ctx, {
      to: 'psirt@vendor.example',
      subject: 'Coordination',
      text: 'Please confirm.',
      tlp: 'TLP:GREEN',
    });
    const queued = await h.t.database.db.transaction().execute((trx) => h.t.services.mail.queue(trx, ctx, prepared));
    expect((await message(queued.id)).status).toBe('held');
    expect(await sendJobs()).toEqual([]);
    // A start without a relay leaves it waiting.
    expect((await prepareMailOnStart(h.t.services, h.t.config, log)).released).toBe(0);
    expect((await message(queued.id)).status).toBe('held');
    waiting.push({ id: queued.id, messageId: queued.messageId });
  });

  it('Should put a queued message back to waiting, spending no attempt, when its job runs where there is no relay', async () => {
    // A process with a relay queued it; this one, without, runs the job.
    await h.t.services.jobs.stop({ timeoutMs: 2000 });
    restarted = createServices(h.t.database, { ...h.t.config, smtpRelayUrl: sink.url }, { log });
    const ctx = systemContext('test');
    const prepared = await restarted.mail.prepareSend(ctx, { to: 'cert@partner.example', subject: 'Heads-up', text: 'FYI.', tlp: 'TLP:GREEN' });
    await restarted.jobs.start();
    const queued = await h.t.database.db.transaction().execute((trx) => restarted!.mail.queue(trx, ctx, prepared));
    expect((await message(queued.id)).status).toBe('queued');
    expect(await h.t.services.mail.deliver(queued.id, { attempt: 1, maxAttempts: 9 })).toEqual({ status: 'held' });
    expect((await message(queued.id)).status).toBe('held');
    expect(await attemptsOf(queued.id)).toBe(0);
    expect(sink.attempts()).toBe(0);
    waiting.push({ id: queued.id, messageId: queued.messageId });
  });

  it('Should deliver every waiting message exactly once after a restart with a relay', async () => {
    const services = restarted!;
    const started = await prepareMailOnStart(services, { ...h.t.config, smtpRelayUrl: sink.url }, log);
    expect(started.instanceKey.created).toBe(false);
    expect(started.instanceKey.fingerprint).toBe(await h.t.services.contacts.instanceKeyFingerprint());
    expect(started.released).toBe(3);
    // A second start at once finds nothing left to release.
    expect((await prepareMailOnStart(services, { ...h.t.config, smtpRelayUrl: sink.url }, log)).released).toBe(0);
    await services.jobs.startWorker({ concurrency: 1 });
    for (const m of waiting) {
      const sent = await waitFor(
        () => message(m.id),
        (detail) => detail.status === 'sent',
      );
      expect(sent).toMatchObject({ deliveryStatus: 'relayed', statusDetail: null });
    }
    await waitFor(sendJobs, (states) => states.length > 0 && states.every((s) => s === 'completed'));
    for (const m of waiting) {
      expect(copiesAtSink(m.messageId)).toBe(1);
      expect(await attemptsOf(m.id)).toBe(1);
    }
    expect(sink.attempts()).toBe(3);
  });
});
