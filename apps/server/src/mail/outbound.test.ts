import { sql } from 'kysely';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../testing/test-app.ts';
import { expectAccess } from '../testing/access.ts';
import { INTAKE, type MailHarness, type TestKey, insertDirectoryKey, makeKey, rfc822, startMailHarness, startSink, waitFor } from './mail-test-kit.ts';
import PostalMime from 'postal-mime';
import { systemContext } from '../policy/actor.ts';
import { OUTBOUND_ATTACHMENT_LIMITS } from './mail.service.ts';
import { inspectPgp, memoryKeyRing } from './pgp.ts';
import { headerValue, parseContentType, splitEntity, splitMultipart } from './mime-raw.ts';

let h: MailHarness;
let sink: Awaited<ReturnType<typeof startSink>>;
let analyst: TestUser;
let instance: TestKey;
let vendor: TestKey;

async function addPerson(
  email: string,
  options: { policy?: 'required' | 'preferred' | 'never'; languages?: string[]; tlpCeiling?: string } = {},
): Promise<void> {
  const org = await sql<{
    id: string;
  }>`INSERT INTO organisations (name, kind, pgp_policy, tlp_ceiling) VALUES (${`Org of ${email}`}, 'vendor', ${options.policy ?? 'preferred'}, ${options.tlpCeiling ?? 'amber'}) RETURNING id`.execute(
    h.t.database.db,
  );
  await sql`INSERT INTO people (organisation_id, name, email, languages) VALUES (${org.rows[0]!.id}, ${email}, ${email}, ${options.languages ?? []})`.execute(
    h.t.database.db,
  );
}

beforeAll(async () => {
  sink = await startSink();
  h = await startMailHarness({ RENKEI_SMTP_RELAY: sink.url });
  analyst = await h.t.createUser(['analyst']);
  instance = await makeKey(INTAKE);
  vendor = await makeKey('psirt@vendor.example');
  await insertDirectoryKey(h.t.database, instance, { email: INTAKE, instance: true });
  await insertDirectoryKey(h.t.database, vendor, { email: 'psirt@vendor.example' });
  await addPerson('psirt@vendor.example', { policy: 'required', languages: ['ja', 'en'] });
  await addPerson('abuse@strict.example', { policy: 'required' });
  await addPerson('abuse@plain.example', { policy: 'preferred' });
  await h.t.services.jobs.startWorker({ concurrency: 1 });
});
afterAll(async () => {
  await h.close();
  await sink.close();
});

const send = (payload: object) => h.t.request(analyst, { method: 'POST', url: '/api/v1/mail/outbound', payload });
const message = async (id: string) => (await h.t.request(analyst, { url: `/api/v1/mail/messages/${id}` })).json();

describe('outbound mail', () => {
  it('Should sign and encrypt to a recipient with a valid key, relay it, and keep its Message-ID', async () => {
    const response = await send({ to: 'psirt@vendor.example', subject: 'Vulnerability in your router', text: 'Details follow.', tlp: 'TLP:AMBER' });
    expect(response.statusCode).toBe(202);
    const queued = response.json();
    expect(queued).toMatchObject({ direction: 'outbound', status: 'queued', deliveryStatus: 'pending', tlp: 'TLP:AMBER' });
    expect(queued.subject).toMatch(/^\[TLP:AMBER\] \[ML-\d{4}-\d{6}\] Vulnerability in your router$/);
    const sent = await waitFor(
      () => message(queued.id),
      (m) => m.status === 'sent',
    );
    expect(sent.deliveryStatus).toBe('relayed');
    const relayed = sink.messages.find((m) => m.raw.toString('latin1').includes(`<${queued.messageId}>`));
    expect(relayed?.to).toEqual(['psirt@vendor.example']);
    expect(relayed?.from).toBe(INTAKE);
    const raw = relayed!.raw;
    expect(headerValue(splitEntity(raw), 'content-type')).toMatch(/^multipart\/encrypted; protocol="application\/pgp-encrypted"/);
    expect(raw.toString('latin1')).not.toContain('Details follow.');
    // The recipient can read it and check our signature.
    const outcome = await inspectPgp(
      raw,
      { textBody: '', from: INTAKE },
      memoryKeyRing({
        keys: [{ fingerprint: instance.fingerprint, armored: instance.publicArmored, expiresAt: null, revokedAt: null }],
        instanceKey: vendor.privateKey,
      }),
    );
    expect(outcome).toMatchObject({ encryption: 'decrypted', status: 'good', signerFingerprint: instance.fingerprint });
    const inner = outcome.decryptedEntity!.toString('utf8');
    expect(inner).toContain('TLP:AMBER');
    expect(inner).toContain('Details follow.');
  });

  it('Should sign but not encrypt where the recipient has no key and PGP is only preferred', async () => {
    const queued = (await send({ to: 'abuse@plain.example', subject: 'Compromised host 192.0.2.44', text: 'Please check.', tlp: 'TLP:GREEN' })).json();
    await waitFor(
      () => message(queued.id),
      (m) => m.status === 'sent',
    );
    const raw = sink.messages.find((m) => m.raw.toString('latin1').includes(`<${queued.messageId}>`))!.raw;
    expect(headerValue(splitEntity(raw), 'content-type')).toMatch(/^multipart\/signed; micalg=pgp-sha256; protocol="application\/pgp-signature"/);
    const outcome = await inspectPgp(
      raw,
      { textBody: '', from: INTAKE },
      memoryKeyRing({ keys: [{ fingerprint: instance.fingerprint, armored: instance.publicArmored, expiresAt: null, revokedAt: null }] }),
    );
    expect(outcome).toMatchObject({ status: 'good', encryption: 'none', format: 'pgp_mime' });
  });

  it('Should refuse to send where the organisation requires PGP and no valid key exists, and say so', async () => {
    const before = sink.attempts();
    const response = await send({ to: 'abuse@strict.example', subject: 'x', text: 'y', tlp: 'TLP:AMBER' });
    expect(response.statusCode).toBe(409);
    expect(response.json().error).toMatchObject({ code: 'pgp_key_required' });
    expect(response.json().error.message).toContain('abuse@strict.example');
    const outbound = (await h.t.request(analyst, { url: '/api/v1/mail/messages?direction=outbound&limit=200' })).json();
    expect(outbound.items.some((m: { to: string[] }) => m.to.includes('abuse@strict.example'))).toBe(false);
    expect(sink.attempts()).toBe(before);
  });

  it('Should not encrypt to a revoked or expired key where PGP is required', async () => {
    const old = await makeKey('abuse@revoked.example');
    await addPerson('abuse@revoked.example', { policy: 'required' });
    await insertDirectoryKey(h.t.database, old, { email: 'abuse@revoked.example', revokedAt: new Date() });
    expect((await send({ to: 'abuse@revoked.example', subject: 'x', text: 'y', tlp: 'TLP:AMBER' })).json().error.code).toBe('pgp_key_required');
  });

  it('Should refuse to send above the recipient organisation TLP ceiling, and above AMBER to addresses the directory does not know', async () => {
    await addPerson('noc@green-only.example', { tlpCeiling: 'green' });
    const above = await send({ to: 'noc@green-only.example', subject: 'Scan report', text: 'x', tlp: 'TLP:AMBER' });
    expect(above.statusCode).toBe(409);
    expect(above.json().error.code).toBe('tlp_above_ceiling');
    expect((await send({ to: 'noc@green-only.example', subject: 'Scan report', text: 'x', tlp: 'TLP:GREEN' })).statusCode).toBe(202);
    const unknownRed = await send({ to: 'someone@unknown.example', subject: 'Secret', text: 'x', tlp: 'TLP:RED' });
    expect(unknownRed.json().error.code).toBe('tlp_above_ceiling');
    expect((await send({ to: 'someone@unknown.example', subject: 'Hello', text: 'x', tlp: 'TLP:AMBER' })).statusCode).toBe(202);
  });

  it('Should retry a temporary relay failure and give up at once on a permanent one', async () => {
    const queued = (await send({ to: 'abuse@plain.example', subject: 'retry me', text: 'x', tlp: 'TLP:CLEAR' })).json();
    await waitFor(
      () => message(queued.id),
      (m) => m.status === 'sent',
    );
    // The relay job's own steps, attempt by attempt, without waiting for the backoff.
    await h.t.database.db.updateTable('mail_messages').set({ status: 'queued' }).where('id', '=', queued.id).execute();
    sink.failNext(1, 451);
    await expect(h.t.services.mail.deliver(queued.id, { attempt: 1, maxAttempts: 9 })).rejects.toThrow(/451/);
    expect(await message(queued.id)).toMatchObject({ status: 'queued', deliveryDetail: expect.stringContaining('Attempt 1') });
    await expect(h.t.services.mail.deliver(queued.id, { attempt: 2, maxAttempts: 9 })).resolves.toEqual({ status: 'sent' });
    await h.t.database.db.updateTable('mail_messages').set({ status: 'queued' }).where('id', '=', queued.id).execute();
    sink.failNext(1, 550);
    await expect(h.t.services.mail.deliver(queued.id, { attempt: 1, maxAttempts: 9 })).resolves.toEqual({ status: 'failed' });
    expect(await message(queued.id)).toMatchObject({ status: 'failed', deliveryStatus: 'failed' });
  });

  it('Should record a DSN bounce on the message, on the address, and file it in the thread', async () => {
    const queued = (await send({ to: 'abuse@plain.example', subject: 'will bounce', text: 'x', tlp: 'TLP:GREEN' })).json();
    await waitFor(
      () => message(queued.id),
      (m) => m.status === 'sent',
    );
    const dsn = rfc822(
      {
        From: 'MAILER-DAEMON@relay.example',
        To: INTAKE,
        Subject: 'Undelivered Mail Returned to Sender',
        'Auto-Submitted': 'auto-replied',
        'Content-Type': 'multipart/report; report-type=delivery-status; boundary="r"',
      },
      [
        '--r\nContent-Type: text/plain\n\nYour message could not be delivered.\n',
        `--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; relay.example\nOriginal-Envelope-Id: ${queued.id}\n\nFinal-Recipient: rfc822; abuse@plain.example\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n`,
        `--r\nContent-Type: text/rfc822-headers\n\nMessage-ID: <${queued.messageId}>\nSubject: will bounce\n`,
        '--r--\n',
      ].join(''),
    );
    await h.sendRaw(dsn, { from: '' });
    const bounced = await message(queued.id);
    expect(bounced).toMatchObject({ deliveryStatus: 'bounced', deliveryDetail: expect.stringContaining('5.1.1') });
    expect(await h.t.services.mail.addressStatus('abuse@plain.example')).toMatchObject({ last_status: 'bounced', bounce_count: 1, last_message_id: queued.id });
    // The directory shows it on the contact's organisation page.
    const person = await h.t.database.db.selectFrom('people').select('organisation_id').where('email', '=', 'abuse@plain.example').executeTakeFirstOrThrow();
    const organisation = (await h.t.request(analyst, { url: `/api/v1/contacts/organisations/${person.organisation_id}` })).json();
    expect(organisation.deliveryStatus).toEqual([
      { address: 'abuse@plain.example', lastStatus: 'bounced', lastDetail: expect.stringContaining('5.1.1'), bounceCount: 1, updatedAt: expect.any(String) },
    ]);
    const thread = (await h.t.request(analyst, { url: `/api/v1/mail/messages?threadId=${queued.threadId}` })).json();
    expect(thread.items[0]).toMatchObject({ flags: ['dsn'], threadId: queued.threadId });
  });

  it('Should let only those who handle cases send', async () => {
    await expectAccess(
      h.t,
      { method: 'POST', url: '/api/v1/mail/outbound', payload: { to: 'abuse@plain.example', subject: 'access', text: 'x', tlp: 'TLP:CLEAR' } },
      { allowed: ['admin', 'coordinator', 'analyst'] },
    );
  });
});

describe('header injection', () => {
  it('Should keep line breaks in the team name and the subject from starting header fields of their own', async () => {
    // A name stored before names were checked (or set in the database) must still not inject headers.
    const db = h.t.database.db;
    const before = await db.selectFrom('organisations').select('name').where('is_self', '=', true).executeTakeFirstOrThrow();
    await db
      .updateTable('organisations')
      .set({ name: 'Evil Team\r\nBcc: victim@evil.example\r\nReply-To: x@evil.example' })
      .where('is_self', '=', true)
      .execute();
    try {
      const response = await send({ to: 'abuse@plain.example', subject: 'Hello\r\nBcc: other@evil.example', text: 'Body.', tlp: 'TLP:GREEN' });
      expect(response.statusCode).toBe(202);
      const queued = response.json();
      await waitFor(
        () => message(queued.id),
        (m) => m.status === 'sent',
      );
      const raw = sink.messages.find((m) => m.raw.toString('latin1').includes(`<${queued.messageId}>`))!.raw.toString('latin1');
      const fields = raw
        .slice(0, raw.indexOf('\r\n\r\n'))
        .split(/\r\n(?![ \t])/)
        .map((f) => f.replace(/\r\n(?=[ \t])/g, ''));
      expect(fields.filter((f) => /^(bcc|reply-to):/i.test(f))).toEqual([]);
      expect(fields.find((f) => f.startsWith('From:'))).toBe(`From: "Evil Team Bcc: victim@evil.example Reply-To: x@evil.example" <${INTAKE}>`);
      expect(sink.messages.find((m) => m.raw.toString('latin1').includes(`<${queued.messageId}>`))!.to).toEqual(['abuse@plain.example']);
    } finally {
      await db.updateTable('organisations').set({ name: before.name }).where('is_self', '=', true).execute();
    }
  });
});

describe('attachments', () => {
  // CRLF and bare LF, a BOM, Japanese, a formula-looking cell, NUL and high bytes: all must come back as given.
  const csv = Buffer.concat([
    Buffer.from('\ufeffip,hostname,note\r\n192.0.2.1,ホスト.example,"a\nb"\r\n192.0.2.2,=1+1,x\n', 'utf8'),
    Buffer.from([0x00, 0xff, 0x0d, 0x0a]),
  ]);
  const attachment = { filename: 'report.csv', contentType: 'text/csv; charset=utf-8', content: csv };
  const sendWith = (to: string, extra: object = {}) =>
    h.t.services.mail.send(systemContext('test'), {
      to,
      subject: 'Events on your network',
      text: 'Summary: two events, see the attached CSV.',
      html: '<p>Summary</p>',
      tlp: 'TLP:AMBER',
      attachments: [attachment],
      ...extra,
    });
  const relayedBytes = async (queued: { id: string; messageId: string | null }) => {
    await waitFor(
      () => message(queued.id),
      (m) => m.status === 'sent',
    );
    return sink.messages.find((m) => m.raw.toString('latin1').includes(`<${queued.messageId}>`))!.raw;
  };

  it('Should encrypt text, HTML and files as one signed entity the recipient can decrypt, verify and unpack byte for byte', async () => {
    const queued = await sendWith('psirt@vendor.example', { headers: { 'X-XARF': 'PLAIN' } });
    const raw = await relayedBytes(queued);
    const top = splitEntity(raw);
    expect(headerValue(top, 'x-xarf')).toBe('PLAIN');
    const type = parseContentType(headerValue(top, 'content-type'));
    expect(type.mediaType).toBe('multipart/encrypted');
    expect(raw.toString('latin1')).not.toContain('192.0.2.1');
    // As the recipient's mail client does it: the second part is the armoured message.
    const armored = splitEntity(splitMultipart(top.body, type.params.boundary!)[1]!).body.toString('latin1');
    const decrypted = await openpgp.decrypt({
      message: await openpgp.readMessage({ armoredMessage: armored }),
      decryptionKeys: vendor.privateKey,
      verificationKeys: await openpgp.readKey({ armoredKey: instance.publicArmored }),
      expectSigned: true,
      format: 'binary',
    });
    expect(await decrypted.signatures[0]!.verified).toBe(true);
    const inner = Buffer.from(decrypted.data);
    expect(parseContentType(headerValue(splitEntity(inner), 'content-type')).mediaType).toBe('multipart/mixed');
    const parsed = await PostalMime.parse(inner);
    expect(parsed.text).toContain('TLP:AMBER');
    expect(parsed.text).toContain('Summary: two events');
    expect(parsed.html).toContain('<p>Summary</p>');
    expect(parsed.attachments.map((a) => [a.filename, a.mimeType])).toEqual([['report.csv', 'text/csv']]);
    expect(Buffer.from(parsed.attachments[0]!.content as ArrayBuffer).equals(csv)).toBe(true);
  });

  it('Should sign text and files over the exact bytes (RFC 3156) where the recipient has no key', async () => {
    const queued = await sendWith('abuse@plain.example');
    const raw = await relayedBytes(queued);
    const top = splitEntity(raw);
    const type = parseContentType(headerValue(top, 'content-type'));
    expect(type.mediaType).toBe('multipart/signed');
    const [signed, signaturePart] = splitMultipart(top.body, type.params.boundary!);
    const verified = await openpgp.verify({
      message: await openpgp.createMessage({ binary: new Uint8Array(signed!) }),
      signature: await openpgp.readSignature({ armoredSignature: splitEntity(signaturePart!).body.toString('latin1') }),
      verificationKeys: await openpgp.readKey({ armoredKey: instance.publicArmored }),
      format: 'binary',
    });
    expect(await verified.signatures[0]!.verified).toBe(true);
    const parsed = await PostalMime.parse(signed!);
    expect(Buffer.from(parsed.attachments[0]!.content as ArrayBuffer).equals(csv)).toBe(true);
    // The stored sent copy lists the file, and it downloads as sent.
    const copy = await message(queued.id);
    expect(copy.parts).toMatchObject([{ filename: 'report.csv', contentType: 'text/csv; charset=utf-8', size: csv.length }]);
    const download = await h.t.request(analyst, { url: `/api/v1/mail/messages/${queued.id}/parts/${copy.parts[0].id}` });
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(csv)).toBe(true);
  });

  it('Should refuse too many, too large or badly typed files, and foreign header names, before anything is stored', async () => {
    const before = sink.attempts();
    const many = Array.from({ length: OUTBOUND_ATTACHMENT_LIMITS.maxCount + 1 }, (_, i) => ({ ...attachment, filename: `f${i}.csv` }));
    await expect(sendWith('abuse@plain.example', { attachments: many })).rejects.toMatchObject({ code: 'mail_attachments_too_many' });
    const big = { ...attachment, content: Buffer.alloc(OUTBOUND_ATTACHMENT_LIMITS.maxBytesEach + 1) };
    await expect(sendWith('abuse@plain.example', { attachments: [big] })).rejects.toMatchObject({ code: 'mail_attachment_too_large' });
    await expect(sendWith('abuse@plain.example', { attachments: [{ ...attachment, contentType: 'text/csv\r\nBcc: x@example.org' }] })).rejects.toMatchObject({
      code: 'mail_attachment_invalid',
    });
    await expect(sendWith('abuse@plain.example', { headers: { Bcc: 'x@example.org' } })).rejects.toMatchObject({ code: 'mail_headers_invalid' });
    expect(sink.attempts()).toBe(before);
  });
});

describe('templates', () => {
  const preview = (name: string, payload: object) => h.t.request(analyst, { method: 'POST', url: `/api/v1/mail/templates/${name}/preview`, payload });

  it('Should render in the recipient’s language from the directory, with the TLP label in subject and body', async () => {
    const rendered = (
      await preview('incident-notification', {
        to: 'psirt@vendor.example',
        variables: { name: 'ベンダー', reference: 'IR-2026-000123', summary: 'C2 通信' },
        tlp: 'TLP:AMBER+STRICT',
      })
    ).json();
    expect(rendered.language).toBe('ja');
    expect(rendered.subject).toBe('[TLP:AMBER+STRICT] 貴組織のネットワークに関するインシデントのご連絡');
    expect(rendered.text.startsWith('TLP:AMBER+STRICT\n\nベンダー 御中')).toBe(true);
    expect(rendered.text).toContain('テスト CSIRT');
    const english = (
      await preview('incident-notification', { to: 'abuse@plain.example', variables: { name: 'ISP', reference: 'IR-1', summary: 's' }, tlp: 'TLP:GREEN' })
    ).json();
    expect(english).toMatchObject({ language: 'en', subject: '[TLP:GREEN] Incident on your network' });
  });

  it('Should escape variables in the HTML part and not in the text part', async () => {
    const rendered = (
      await preview('report-acknowledgement', {
        language: 'en',
        variables: { name: '<img src=x onerror=alert(1)>', reference: 'IR-2026-000001' },
        tlp: 'TLP:CLEAR',
      })
    ).json();
    expect(rendered.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(rendered.html).not.toContain('<img');
    expect(rendered.text).toContain('<img src=x onerror=alert(1)>');
  });

  it('Should name missing variables and unknown templates', async () => {
    const missing = await preview('report-acknowledgement', { variables: { name: 'x' }, tlp: 'TLP:CLEAR' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatchObject({ code: 'mail_template_variables_missing', message: expect.stringContaining('reference') });
    expect((await preview('no-such-template', { variables: {}, tlp: 'TLP:CLEAR' })).statusCode).toBe(404);
  });

  it('Should send a template to the recipient, signed and encrypted', async () => {
    const response = await h.t.request(analyst, {
      method: 'POST',
      url: '/api/v1/mail/outbound/template',
      payload: { to: 'psirt@vendor.example', template: 'report-acknowledgement', variables: { name: '山田', reference: 'IR-2026-000777' }, tlp: 'TLP:GREEN' },
    });
    expect(response.statusCode).toBe(202);
    const sent = await waitFor(
      () => message(response.json().id),
      (m) => m.status === 'sent',
    );
    expect(sent.subject).toContain('ご報告を受け付けました');
    expect(sent.pgpEncryption).toBe('decrypted');
  });

  it('Should let staff preview and list templates', async () => {
    await expectAccess(h.t, { url: '/api/v1/mail/templates' }, { allowed: ['admin', 'coordinator', 'analyst', 'publisher'] });
    await expectAccess(
      h.t,
      {
        method: 'POST',
        url: '/api/v1/mail/templates/report-acknowledgement/preview',
        payload: { language: 'en', variables: { name: 'a', reference: 'b' }, tlp: 'TLP:CLEAR' },
      },
      { allowed: ['admin', 'coordinator', 'analyst', 'publisher'] },
    );
  });
});

describe('a reply from the recipient', () => {
  it('Should join the thread of the message it answers', async () => {
    const queued = (await send({ to: 'abuse@plain.example', subject: 'Please respond', text: 'x', tlp: 'TLP:GREEN' })).json();
    await h.sendRaw(rfc822({ From: 'abuse@plain.example', To: INTAKE, Subject: 'Re: Please respond', 'In-Reply-To': `<${queued.messageId}>` }, 'Fixed.'));
    const thread = (await h.t.request(analyst, { url: `/api/v1/mail/messages?threadId=${queued.threadId}` })).json();
    expect(thread.items.map((m: { subject: string }) => m.subject)).toEqual(['Re: Please respond']);
    const whole = (await h.t.request(analyst, { url: `/api/v1/mail/messages?threadId=${queued.threadId}&direction=all` })).json();
    expect(whole.items.map((m: { direction: string }) => m.direction)).toEqual(['inbound', 'outbound']);
    void openpgp;
  });
});
