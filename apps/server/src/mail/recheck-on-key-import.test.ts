import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../testing/test-app.ts';
import { INTAKE, type MailHarness, makeKey, rfc822, startMailHarness, waitFor } from './mail-test-kit.ts';
import { RECHECK_JOB } from './mail.service.ts';
import { signMime } from './pgp.ts';

let h: MailHarness;
let analyst: TestUser;
let coordinator: TestUser;

beforeAll(async () => {
  h = await startMailHarness();
  analyst = await h.t.createUser(['analyst']);
  coordinator = await h.t.createUser(['coordinator']);
  await h.t.services.jobs.startWorker({ concurrency: 1 });
});
afterAll(async () => {
  await h.close();
});

describe('a key imported after its mail', () => {
  it('Should turn an unknown_key message good once the directory imports the key, through the re-check job', async () => {
    const bob = await makeKey('bob@late-key.example');
    const content = Buffer.from('Content-Type: text/plain; charset=utf-8\r\n\r\nIndicators attached.\r\n');
    const { contentType, body } = await signMime(content, bob.privateKey);
    await h.sendRaw(
      rfc822({ From: 'bob@late-key.example', To: INTAKE, Subject: 'Signed before we knew the key', 'Content-Type': contentType }, '') + body.toString('latin1'),
    );
    const list = (await h.t.request(analyst, { url: '/api/v1/mail/messages?limit=1' })).json();
    const id: string = list.items[0].id;
    expect(list.items[0].pgpStatus).toBe('unknown_key');

    // The key comes in through the directory's API, which knows nothing of mail: it only asks for the job.
    const org = (
      await h.t.request(coordinator, {
        method: 'POST',
        url: '/api/v1/contacts/organisations',
        payload: { name: 'Late Key ISP', kind: 'isp', contactEmail: 'bob@late-key.example' },
      })
    ).json();
    const imported = await h.t.request(coordinator, {
      method: 'POST',
      url: '/api/v1/contacts/keys',
      payload: { armored: bob.publicArmored, organisationId: org.id },
    });
    expect(imported.statusCode).toBe(200);

    const message = await waitFor(
      async () => (await h.t.request(analyst, { url: `/api/v1/mail/messages/${id}` })).json(),
      (m) => m.pgpStatus === 'good',
      20_000,
    );
    expect(message).toMatchObject({ pgpStatus: 'good', pgpSignerFingerprint: bob.fingerprint });
    const job = await h.t.database.db
      .selectFrom('audit_log')
      .select(['actor_label', 'after'])
      .where('action', '=', 'mail.recheck_signature')
      .where('target_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(job.actor_label).toBe('mail.recheck-signatures');
    expect(RECHECK_JOB).toBe('mail.recheck-signatures');
  });
});
