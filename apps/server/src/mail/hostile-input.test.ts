import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../testing/test-app.ts';
import { INTAKE, type MailHarness, rfc822, startMailHarness } from './mail-test-kit.ts';

// Every case goes through the real SMTP listener on loopback and must end in a stored message with a
// clear status, or a clear SMTP refusal: never a crash, a hang or a lost message.

let h: MailHarness;
let analyst: TestUser;

beforeAll(async () => {
  h = await startMailHarness({ RENKEI_MAIL_MAX_PARTS: '500', RENKEI_MAIL_MAX_HEADER_BYTES: String(256 * 1024) });
  analyst = await h.t.createUser(['analyst']);
});
afterAll(async () => {
  await h.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API JSON read by the assertions below
async function deliver(raw: string | Buffer): Promise<Record<string, any>> {
  const reply = await h.sendRaw(raw);
  const id = /Stored as ([0-9a-f-]{36})/.exec(reply)?.[1];
  expect(id, `250 reply names the message: ${reply}`).toBeDefined();
  const response = await h.t.request(analyst, { url: `/api/v1/mail/messages/${id}` });
  expect(response.statusCode).toBe(200);
  return response.json();
}

const from = { From: 'hostile@example.net', To: INTAKE };

describe('malformed MIME', () => {
  it('Should store a multipart message without a boundary parameter', async () => {
    const message = await deliver(
      rfc822({ ...from, Subject: 'no boundary', 'Content-Type': 'multipart/mixed' }, '--x\nContent-Type: text/plain\n\nhello\n--x--\n'),
    );
    expect(message.status).toBe('stored');
  });

  it('Should store a message whose parts never close', async () => {
    const message = await deliver(
      rfc822(
        { ...from, Subject: 'unterminated', 'Content-Type': 'multipart/mixed; boundary="b"' },
        '--b\nContent-Type: text/plain\n\nstart of a part that never ends\n--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\nAAAA',
      ),
    );
    expect(message.status).toBe('stored');
    expect(message.textBody).toContain('start of a part');
  });

  it('Should keep a message nested deeper than the parser allows raw, as parse_failed', async () => {
    let body = 'innermost\n';
    for (let depth = 79; depth >= 0; depth--) body = `--n${depth}\nContent-Type: multipart/mixed; boundary="n${depth + 1}"\n\n${body}\n--n${depth}--\n`;
    const message = await deliver(rfc822({ ...from, Subject: 'deep', 'Content-Type': 'multipart/mixed; boundary="n0"' }, body));
    expect(message.status).toBe('parse_failed');
    expect(message.subject).toBe('deep');
    expect(message.parts).toEqual([]);
  });

  it('Should store random binary bytes sent as a message', async () => {
    const junk = randomBytes(64 * 1024);
    // Dots and line ends are the SMTP client's to escape; the listener must simply keep what arrives.
    const message = await deliver(Buffer.concat([Buffer.from('Subject: junk\r\n\r\n'), junk]));
    expect(['stored', 'parse_failed']).toContain(message.status);
    expect(message.rawSize).toBeGreaterThan(60 * 1024);
  });

  it('Should store NUL bytes and raw 8-bit headers without failing the database', async () => {
    const raw = Buffer.concat([
      Buffer.from(
        `From: =?UTF-8?B?${Buffer.from('送信者\u0000').toString('base64')}?= <nul@example.net>\r\nTo: ${INTAKE}\r\nSubject: 件名 with raw UTF-8 and \u0000 NUL\r\n\r\nbody with a NUL `,
      ),
      Buffer.from([0]),
      Buffer.from(' in it\r\n'),
    ]);
    const message = await deliver(raw);
    expect(message.status).toBe('stored');
    expect(message.textBody).toContain('body with a NUL');
    expect(JSON.stringify(message)).not.toContain('\\u0000');
  });
});

describe('broken and legacy encodings', () => {
  it('Should decode ISO-2022-JP subjects and bodies', async () => {
    const subject = '=?ISO-2022-JP?B?GyRCJTslLSVlJWolRiUjGyhC?='; // セキュリティ
    const body = Buffer.from('1b244224332473244b2441244f1b2842', 'hex'); // こんにちは
    const raw = Buffer.concat([
      Buffer.from(rfc822({ ...from, Subject: subject, 'Content-Type': 'text/plain; charset=ISO-2022-JP', 'Content-Transfer-Encoding': '7bit' }, '')),
      body,
      Buffer.from('\r\n'),
    ]);
    const message = await deliver(raw);
    expect(message.subject).toBe('セキュリティ');
    expect(message.textBody).toContain('こんにちは');
  });

  it('Should decode Shift_JIS bodies', async () => {
    const body = Buffer.from('82b182f182c982bf82cd', 'hex'); // こんにちは in Shift_JIS
    const raw = Buffer.concat([
      Buffer.from(rfc822({ ...from, Subject: 'sjis', 'Content-Type': 'text/plain; charset=Shift_JIS', 'Content-Transfer-Encoding': '8bit' }, '')),
      body,
      Buffer.from('\r\n'),
    ]);
    expect((await deliver(raw)).textBody).toContain('こんにちは');
  });

  it('Should store a message in a charset nobody knows', async () => {
    const message = await deliver(
      rfc822({ ...from, Subject: '=?x-no-such-charset?Q?abc?=', 'Content-Type': 'text/plain; charset=x-no-such-charset' }, 'plain ascii body'),
    );
    expect(message.status).toBe('stored');
    expect(message.textBody).toContain('plain ascii body');
  });

  it('Should store a part whose base64 is broken', async () => {
    const message = await deliver(
      rfc822(
        { ...from, Subject: 'bad base64', 'Content-Type': 'multipart/mixed; boundary="b"' },
        '--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n@@@ not base64 %%% ===\n--b\nContent-Type: application/zip\nContent-Disposition: attachment; filename="a.zip"\nContent-Transfer-Encoding: base64\n\nUEsDB!!!!BAoAAAAA$$$\n--b--\n',
      ),
    );
    expect(message.status).toBe('stored');
    expect(message.parts).toHaveLength(1);
  });
});

describe('limits', () => {
  it('Should keep a message with enormous headers raw, as rejected_headers', async () => {
    const filler = Array.from({ length: 4000 }, (_, i) => `X-Filler-${i}: ${'h'.repeat(80)}`).join('\r\n');
    const raw = `From: big@example.net\r\nTo: ${INTAKE}\r\nSubject: enormous headers\r\n${filler}\r\n\r\nbody\r\n`;
    const message = await deliver(raw);
    expect(message.status).toBe('rejected_headers');
    expect(message.subject).toBe('enormous headers');
    expect(message.fromAddress).toBe('big@example.net');
    expect(message.rawSize).toBeGreaterThan(300_000);
  });

  it('Should keep a message with thousands of parts raw, as rejected_parts with none stored', async () => {
    const parts = Array.from({ length: 3000 }, (_, i) => `--p\nContent-Type: a/b\n\n${i}\n`).join('');
    const started = Date.now();
    const message = await deliver(rfc822({ ...from, Subject: 'many parts', 'Content-Type': 'multipart/mixed; boundary="p"' }, `${parts}--p--\n`));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(message.status).toBe('rejected_parts');
    expect(message.statusDetail).toMatch(/3001 MIME parts/);
    expect(message.parts).toEqual([]);
    const stored = await h.t.database.db
      .selectFrom('mail_parts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('message_id', '=', message.id)
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(0);
  });

  it('Should store a message just under the part limit with all its parts', async () => {
    const parts = Array.from(
      { length: 400 },
      (_, i) => `--p\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="f${i}.bin"\n\n${i}\n`,
    ).join('');
    const message = await deliver(rfc822({ ...from, Subject: 'many but fine', 'Content-Type': 'multipart/mixed; boundary="p"' }, `${parts}--p--\n`));
    expect(message.status).toBe('stored');
    expect(message.parts).toHaveLength(400);
  });
});

describe('HTML with scripts', () => {
  it('Should store the HTML but hand out only text, with no markup, anywhere in the API', async () => {
    const html =
      '<html><head><script>fetch("/api/v1/users")</script><style>p{}</style></head><body><p onclick="steal()">Click <a href="javascript:alert(1)">here</a></p><img src=x onerror=alert(2)><iframe src="//evil"></iframe>&lt;b&gt;escaped&lt;/b&gt;</body></html>';
    const message = await deliver(rfc822({ ...from, Subject: '<script>alert("subject")</script>', 'Content-Type': 'text/html; charset=utf-8' }, html));
    expect(message.status).toBe('stored');
    expect(message.hasHtml).toBe(true);
    expect(message).not.toHaveProperty('htmlBody');
    expect(message.htmlText).toContain('Click here');
    expect(message.htmlText).not.toMatch(/<script|onerror|onclick|<iframe|fetch\(/);
    // Entities decode to text; displaying it as text keeps it inert.
    expect(message.htmlText).toContain('<b>escaped</b>');
    const stored = await h.t.database.db.selectFrom('mail_messages').select('html_body').where('id', '=', message.id).executeTakeFirstOrThrow();
    expect(stored.html_body).toContain('<script>');
    // The JSON is served as JSON, never as a page.
    const response = await h.t.request(analyst, { url: `/api/v1/mail/messages/${message.id}` });
    expect(response.headers['content-type']).toMatch(/^application\/json/);
  });
});
