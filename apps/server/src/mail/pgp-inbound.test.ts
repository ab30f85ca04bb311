import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../testing/test-app.ts';
import { INTAKE, type MailHarness, type TestKey, insertDirectoryKey, makeKey, rfc822, startMailHarness } from './mail-test-kit.ts';
import { encryptMime, signMime } from './pgp.ts';

let h: MailHarness;
let analyst: TestUser;
let instance: TestKey;
let alice: TestKey;

beforeAll(async () => {
  h = await startMailHarness();
  analyst = await h.t.createUser(['analyst']);
  instance = await makeKey('report@intake.test');
  alice = await makeKey('alice@partner.example');
  await insertDirectoryKey(h.t.database, instance, { email: INTAKE, instance: true });
  await insertDirectoryKey(h.t.database, alice, { email: 'alice@partner.example' });
});
afterAll(async () => {
  await h.close();
});

const CONTENT = 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nThe C2 server is at 192.0.2.10.\r\n';

async function sendSigned(from: string, key: openpgp.PrivateKey, subject: string, tamper?: (raw: string) => string): Promise<Record<string, unknown>> {
  const { contentType, body } = await signMime(Buffer.from(CONTENT), key);
  let raw = rfc822({ From: from, To: INTAKE, Subject: subject, 'Content-Type': contentType }, '') + body.toString('latin1');
  if (tamper) raw = tamper(raw);
  await h.sendRaw(raw);
  return latest();
}

async function latest(): Promise<Record<string, unknown> & { id: string }> {
  const list = (await h.t.request(analyst, { url: '/api/v1/mail/messages?limit=1' })).json();
  return (await h.t.request(analyst, { url: `/api/v1/mail/messages/${list.items[0].id}` })).json();
}

describe('inbound PGP/MIME signatures', () => {
  it('Should mark a PGP/MIME signature by a directory key good', async () => {
    const message = await sendSigned('alice@partner.example', alice.privateKey, 'signed');
    expect(message).toMatchObject({
      pgpStatus: 'good',
      pgpFormat: 'pgp_mime',
      pgpSignerFingerprint: alice.fingerprint,
      pgpEncryption: 'none',
      attachmentCount: 0,
    });
    expect(message.textBody).toContain('The C2 server is at 192.0.2.10.');
  });

  it('Should mark a signed message whose content was altered bad', async () => {
    const message = await sendSigned('alice@partner.example', alice.privateKey, 'altered', (raw) => raw.replace('192.0.2.10', '192.0.2.66'));
    expect(message.pgpStatus).toBe('bad');
    expect(message.textBody).toContain('192.0.2.66');
  });

  it('Should mark a signature moved onto other content (a forgery) bad', async () => {
    const genuine = await signMime(Buffer.from(CONTENT), alice.privateKey);
    const forged = await signMime(Buffer.from(CONTENT.replace('192.0.2.10', '203.0.113.5')), (await makeKey('alice@partner.example')).privateKey);
    // Alice's real signature, glued under different content.
    const boundary = /boundary="([^"]+)"/.exec(genuine.contentType)![1]!;
    const genuineSignature = genuine.body.toString('latin1').split(`--${boundary}`)[2]!;
    const forgedBoundary = /boundary="([^"]+)"/.exec(forged.contentType)![1]!;
    const forgedParts = forged.body.toString('latin1').split(`--${forgedBoundary}`);
    const body = [forgedParts[0], forgedParts[1], genuineSignature.replace(/\r\n$/, '') + '\r\n', '--\r\n'].join(`--${forgedBoundary}`);
    await h.sendRaw(rfc822({ From: 'alice@partner.example', To: INTAKE, Subject: 'forged', 'Content-Type': forged.contentType }, '') + body);
    expect((await latest()).pgpStatus).toBe('bad');
  });

  it('Should mark a signature by a key the directory lacks unknown_key, and good once the key arrives', async () => {
    const bob = await makeKey('bob@vendor.example');
    const message = await sendSigned('bob@vendor.example', bob.privateKey, 'from bob');
    expect(message.pgpStatus).toBe('unknown_key');
    expect(message.pgpSignerKeyIds).toEqual(expect.arrayContaining([expect.stringMatching(/^[0-9A-F]{16}$/)]));
    await insertDirectoryKey(h.t.database, bob, { email: 'bob@vendor.example' });
    const result = await h.t.services.mail.recheckSignatures({ keyIds: message.pgpSignerKeyIds as string[] });
    expect(result.changed).toBeGreaterThanOrEqual(1);
    const after = (await h.t.request(analyst, { url: `/api/v1/mail/messages/${String(message.id)}` })).json();
    expect(after).toMatchObject({ pgpStatus: 'good', pgpSignerFingerprint: bob.fingerprint });
  });

  it('Should mark a signature by an impostor key carrying the sender’s address unknown_key, not good', async () => {
    const impostor = await makeKey('alice@partner.example');
    const message = await sendSigned('alice@partner.example', impostor.privateKey, 'impostor');
    expect(message.pgpStatus).toBe('unknown_key');
  });

  it('Should mark a signature by an expired key expired_key', async () => {
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000);
    const carol = await makeKey('carol@isp.example', { created: tenDaysAgo, expiresInSeconds: 86_400 });
    await insertDirectoryKey(h.t.database, carol, { email: 'carol@isp.example', expiresAt: new Date(tenDaysAgo.getTime() + 86_400_000) });
    // Signed while the key was valid, read after it expired.
    const message = await openpgp.createMessage({ binary: new Uint8Array(Buffer.from(CONTENT)) });
    const signature = await openpgp.sign({ message, signingKeys: carol.privateKey, detached: true, date: new Date(tenDaysAgo.getTime() + 3_600_000) });
    const raw = rfc822(
      {
        From: 'carol@isp.example',
        To: INTAKE,
        Subject: 'expired',
        'Content-Type': 'multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="s"',
      },
      `--s\r\n${CONTENT}\r\n--s\r\nContent-Type: application/pgp-signature\r\n\r\n${signature}\r\n--s--\r\n`,
    );
    await h.sendRaw(raw);
    expect((await latest()).pgpStatus).toBe('expired_key');
  });

  it('Should mark a signature by a revoked key revoked_key', async () => {
    const dave = await makeKey('dave@cert.example');
    const { publicKey: revokedArmored } = await openpgp.revokeKey({ key: dave.privateKey, format: 'armored' });
    await insertDirectoryKey(h.t.database, dave, { email: 'dave@cert.example', armored: revokedArmored, revokedAt: new Date() });
    const message = await sendSigned('dave@cert.example', dave.privateKey, 'revoked');
    expect(message.pgpStatus).toBe('revoked_key');
  });

  it('Should store a signature part that is not OpenPGP as bad, not fail', async () => {
    const raw = rfc822(
      {
        From: 'alice@partner.example',
        To: INTAKE,
        Subject: 'garbage signature',
        'Content-Type': 'multipart/signed; protocol="application/pgp-signature"; boundary="s"',
      },
      '--s\r\nContent-Type: text/plain\r\n\r\nhello\r\n--s\r\nContent-Type: application/pgp-signature\r\n\r\n-----BEGIN PGP SIGNATURE-----\r\n\r\nnot base64 at all!!\r\n-----END PGP SIGNATURE-----\r\n--s--\r\n',
    );
    await h.sendRaw(raw);
    expect(await latest()).toMatchObject({ pgpStatus: 'bad', status: 'stored' });
  });
});

describe('inline PGP', () => {
  it('Should verify a clear-signed body and show its text without the armour', async () => {
    const cleartext = await openpgp.sign({
      message: await openpgp.createCleartextMessage({ text: 'Please block 198.51.100.7.' }),
      signingKeys: alice.privateKey,
    });
    await h.sendRaw(rfc822({ From: 'alice@partner.example', To: INTAKE, Subject: 'inline signed', 'Content-Type': 'text/plain; charset=utf-8' }, cleartext));
    const message = await latest();
    expect(message).toMatchObject({ pgpStatus: 'good', pgpFormat: 'inline' });
    expect(message.textBody).toContain('Please block 198.51.100.7.');
    expect(message.textBody).not.toContain('BEGIN PGP');
  });

  it('Should decrypt an inline encrypted and signed body with the instance key', async () => {
    const armored = await openpgp.encrypt({
      message: await openpgp.createMessage({ text: '秘密: the password is hunter2' }),
      encryptionKeys: instance.privateKey.toPublic(),
      signingKeys: alice.privateKey,
    });
    await h.sendRaw(rfc822({ From: 'alice@partner.example', To: INTAKE, Subject: 'inline encrypted' }, armored));
    const message = await latest();
    expect(message).toMatchObject({ pgpEncryption: 'decrypted', pgpStatus: 'good', pgpFormat: 'inline' });
    expect(message.textBody).toContain('秘密: the password is hunter2');
  });
});

describe('inbound PGP/MIME encryption', () => {
  it('Should decrypt an encrypted and signed message, with its attachment, to the instance key', async () => {
    const inner = Buffer.from(
      'Content-Type: multipart/mixed; boundary="in"\r\n\r\n--in\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLogs attached.\r\n--in\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename="hits.csv"\r\n\r\nip,count\r\n192.0.2.1,5\r\n--in--\r\n',
    );
    const { contentType, body } = await encryptMime(inner, [instance.privateKey.toPublic()], alice.privateKey);
    await h.sendRaw(rfc822({ From: 'alice@partner.example', To: INTAKE, Subject: 'encrypted', 'Content-Type': contentType }, '') + body.toString('latin1'));
    const message = await latest();
    expect(message).toMatchObject({ pgpEncryption: 'decrypted', pgpStatus: 'good', pgpFormat: 'pgp_mime' });
    expect(message.textBody).toContain('Logs attached.');
    expect(message.parts).toEqual([expect.objectContaining({ filename: 'hits.csv', fromEncrypted: true })]);
  });

  it('Should store a message encrypted to some other key with encryption failed', async () => {
    const stranger = await makeKey('stranger@example.net');
    const { contentType, body } = await encryptMime(Buffer.from(CONTENT), [stranger.privateKey.toPublic()], stranger.privateKey);
    await h.sendRaw(rfc822({ From: 'stranger@example.net', To: INTAKE, Subject: 'not for us', 'Content-Type': contentType }, '') + body.toString('latin1'));
    const message = await latest();
    expect(message).toMatchObject({ status: 'stored', pgpEncryption: 'failed' });
    expect(String(message.pgpDetail)).toMatch(/decrypt/i);
  });
});
