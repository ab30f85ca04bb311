import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccess } from '../testing/access.ts';
import type { TestUser } from '../testing/test-app.ts';
import { INTAKE, type MailHarness, rfc822, startMailHarness } from './mail-test-kit.ts';

let h: MailHarness;
let analyst: TestUser;

beforeAll(async () => {
  h = await startMailHarness();
  analyst = await h.t.createUser(['analyst']);
});
afterAll(async () => {
  await h.close();
});

async function latest() {
  const list = await h.t.request(analyst, { url: '/api/v1/mail/messages?limit=1' });
  return list.json().items[0];
}

async function detail(id: string) {
  return (await h.t.request(analyst, { url: `/api/v1/mail/messages/${id}` })).json();
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

describe('the SMTP intake', () => {
  it('Should store a message for the intake address raw and parsed, and answer 250 naming it', async () => {
    const raw = rfc822(
      {
        From: 'Taro Yamada <taro@example.jp>',
        To: INTAKE,
        Subject: 'Phishing site report',
        'Message-ID': '<first@example.jp>',
        'Content-Type': 'multipart/mixed; boundary="b1"',
      },
      '--b1\nContent-Type: text/plain; charset=utf-8\n\nThe site hxxp://bad[.]example is phishing.\n--b1\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="evidence.pdf"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQKJcfsj6IK\n--b1--\n',
    );
    const reply = await h.sendRaw(raw);
    const message = await latest();
    expect(reply).toContain(message.id);
    expect(message).toMatchObject({
      subject: 'Phishing site report',
      fromAddress: 'taro@example.jp',
      fromName: 'Taro Yamada',
      status: 'stored',
      pgpStatus: 'unsigned',
      attachmentCount: 1,
    });
    expect(message.threadKey).toMatch(/^ML-\d{4}-\d{6}$/);
    const full = await detail(message.id);
    expect(full.textBody).toContain('hxxp://bad[.]example is phishing.');
    expect(full.messageId).toBe('first@example.jp');
    expect(full.rawSha256).toBe(sha256(raw));
    expect(full.parts).toEqual([
      expect.objectContaining({
        filename: 'evidence.pdf',
        contentType: 'application/pdf',
        size: 15,
        sha256: sha256(Buffer.from('JVBERi0xLjQKJcfsj6IK', 'base64')),
      }),
    ]);
  });

  it('Should keep the original bytes in the blob store', async () => {
    const raw = rfc822({ From: 'a@example.org', To: INTAKE, Subject: 'bytes' }, 'Exactly these bytes.\n');
    await h.sendRaw(raw);
    const full = await detail((await latest()).id);
    const stream = await h.t.services.blobs.open(full.rawSha256);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString('latin1')).toBe(raw);
  });

  it('Should refuse other recipients with 550 and accept plus-addresses of the intake', async () => {
    const raw = rfc822({ From: 'a@example.org', To: 'someone@intake.test', Subject: 'wrong' }, 'x');
    await expect(h.sendRaw(raw, { to: ['someone@intake.test'] })).rejects.toMatchObject({ responseCode: 550 });
    await expect(
      h.sendRaw(rfc822({ From: 'a@example.org', To: 'report+anything@intake.test', Subject: 'plus' }, 'x'), { to: ['report+anything@intake.test'] }),
    ).resolves.toContain('Stored');
  });

  it('Should store the same bytes sent twice once', async () => {
    const raw = rfc822({ From: 'a@example.org', To: INTAKE, Subject: 'retry', 'Message-ID': '<retry@example.org>' }, 'sent twice after a lost reply');
    const first = await h.sendRaw(raw);
    const second = await h.sendRaw(raw);
    expect(second).toBe(first);
  });

  it('Should refuse a message over the size limit with 552 and keep nothing of it', async () => {
    const before = (await h.t.request(analyst, { url: '/api/v1/mail/messages' })).json().total;
    const blobsBefore = await h.t.database.db
      .selectFrom('blobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const big = rfc822({ From: 'a@example.org', To: INTAKE, Subject: 'too big' }, `${'A'.repeat(76)}\n`.repeat(40_000));
    await expect(h.sendRaw(big)).rejects.toMatchObject({ responseCode: 552 });
    expect((await h.t.request(analyst, { url: '/api/v1/mail/messages' })).json().total).toBe(before);
    const blobsAfter = await h.t.database.db
      .selectFrom('blobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(blobsAfter.n)).toBe(Number(blobsBefore.n));
    // The listener still works afterwards.
    await expect(h.sendRaw(rfc822({ From: 'a@example.org', To: INTAKE, Subject: 'after' }, 'ok'))).resolves.toContain('Stored');
  });
});

describe('the mailbox API', () => {
  it('Should list newest first with offset, limit and total', async () => {
    for (const n of [1, 2, 3]) await h.sendRaw(rfc822({ From: 'pager@example.org', To: INTAKE, Subject: `page ${n}` }, 'x'));
    const first = (await h.t.request(analyst, { url: '/api/v1/mail/messages?limit=2' })).json();
    expect(first.items.map((m: { subject: string }) => m.subject)).toEqual(['page 3', 'page 2']);
    expect(first.nextOffset).toBe(2);
    const second = (await h.t.request(analyst, { url: '/api/v1/mail/messages?offset=2&limit=1' })).json();
    expect(second.items[0].subject).toBe('page 1');
    expect(second.total).toBe(first.total);
  });

  it('Should let staff roles only read messages', async () => {
    await h.sendRaw(rfc822({ From: 'a@example.org', To: INTAKE, Subject: 'access' }, 'x'));
    const id = (await latest()).id;
    const staff = ['admin', 'coordinator', 'analyst', 'publisher'] as const;
    await expectAccess(h.t, { url: '/api/v1/mail/messages' }, { allowed: staff });
    await expectAccess(h.t, { url: `/api/v1/mail/messages/${id}` }, { allowed: staff, hidden: true });
    await expectAccess(h.t, { url: '/api/v1/mail/threads' }, { allowed: staff });
  });

  it('Should send attachments as opaque downloads, never inline', async () => {
    const raw = rfc822(
      { From: 'a@example.org', To: INTAKE, Subject: 'html attachment', 'Content-Type': 'multipart/mixed; boundary="b"' },
      '--b\nContent-Type: text/plain\n\nsee attached\n--b\nContent-Type: text/html\nContent-Disposition: attachment; filename="x\\"; evil=.html"\n\n<script>alert(1)</script>\n--b--\n',
    );
    await h.sendRaw(raw);
    const full = await detail((await latest()).id);
    const part = full.parts[0];
    const response = await h.t.request(analyst, { url: `/api/v1/mail/messages/${full.id}/parts/${part.id}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/octet-stream');
    expect(String(response.headers['content-disposition'])).toMatch(/^attachment; filename="[^"]*"; filename\*=UTF-8''/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body).toBe('<script>alert(1)</script>\n');
    await expectAccess(
      h.t,
      { url: `/api/v1/mail/messages/${full.id}/parts/${part.id}` },
      { allowed: ['admin', 'coordinator', 'analyst', 'publisher'], hidden: true },
    );
  });

  it('Should answer 404 for an unknown message or part', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await h.t.request(analyst, { url: `/api/v1/mail/messages/${missing}` })).statusCode).toBe(404);
    expect((await h.t.request(analyst, { url: `/api/v1/mail/messages/${missing}/parts/${missing}` })).statusCode).toBe(404);
  });
});
