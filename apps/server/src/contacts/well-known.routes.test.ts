import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, createTestApp } from '../testing/test-app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ RENKEI_PUBLIC_URL: 'https://csirt.example.jp', RENKEI_PGP_PASSPHRASE: 'correct horse battery staple' });
  await t.database.db
    .updateTable('organisations')
    .set({
      languages: ['ja', 'en'],
      contact_phone: '+81-3-0000-0000',
      time_zone: 'Asia/Tokyo',
      csirt_profile: JSON.stringify({ mission: { en: 'We coordinate.', ja: '調整を行います。' }, memberOf: ['FIRST'] }),
    })
    .where('id', '=', t.selfOrganisationId)
    .execute();
});
afterAll(() => t.close());

async function verifiedText(signed: string, publicArmored: string): Promise<string> {
  const message = await openpgp.readCleartextMessage({ cleartextMessage: signed });
  const verificationKeys = await openpgp.readKey({ armoredKey: publicArmored });
  const result = await openpgp.verify({ message, verificationKeys, expectSigned: true });
  await result.signatures[0]!.verified;
  return result.data;
}

describe('/.well-known/security.txt', () => {
  it('Should be signed by the published instance key, with every RFC 9116 field and Expires within a year', async () => {
    const response = await t.app.inject({ url: '/.well-known/security.txt' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.body).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----/);
    const key = await t.app.inject({ url: '/pgp-key.txt' });
    expect(key.statusCode).toBe(200);
    expect(key.body).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect(key.body).not.toContain('PRIVATE');
    const text = await verifiedText(response.body, key.body);
    const fields = new Map<string, string[]>();
    for (const line of text.split('\n')) {
      const match = /^([A-Za-z-]+): (.+)$/.exec(line);
      if (match) fields.set(match[1]!, [...(fields.get(match[1]!) ?? []), match[2]!]);
    }
    expect(fields.get('Contact')).toEqual(['mailto:team@test-csirt.example', 'tel:+81300000000', 'https://csirt.example.jp/']);
    expect(fields.get('Encryption')![0]).toBe('https://csirt.example.jp/pgp-key.txt');
    expect(fields.get('Preferred-Languages')).toEqual(['ja, en']);
    expect(fields.get('Policy')).toEqual(['https://csirt.example.jp/rfc2350.txt']);
    expect(fields.get('Canonical')).toEqual(['https://csirt.example.jp/.well-known/security.txt']);
    const expires = new Date(fields.get('Expires')![0]!);
    expect(expires.getTime()).toBeGreaterThan(Date.now());
    expect(expires.getTime()).toBeLessThan(Date.now() + 365 * 86_400_000);
  });

  it('Should keep the private key encrypted with RENKEI_PGP_PASSPHRASE and fail to verify against another key', async () => {
    const row = await t.database.db.selectFrom('pgp_keys').select(['private_armored']).where('is_instance_key', '=', true).executeTakeFirstOrThrow();
    const stored = await openpgp.readPrivateKey({ armoredKey: row.private_armored! });
    expect(stored.isDecrypted()).toBe(false);
    const other = await openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ email: 'other@example.jp' }] });
    const response = await t.app.inject({ url: '/.well-known/security.txt' });
    await expect(verifiedText(response.body, other.publicKey)).rejects.toThrow();
  });

  it('Should flatten a line break smuggled into a team field so it cannot add a field', async () => {
    await t.database.db
      .updateTable('organisations')
      .set({ name: 'Team\nContact: mailto:evil@attacker.example' })
      .where('id', '=', t.selfOrganisationId)
      .execute();
    const response = await t.app.inject({ url: '/.well-known/security.txt' });
    expect(response.body).not.toMatch(/^Contact: mailto:evil/m);
    await t.database.db.updateTable('organisations').set({ name: 'Test CSIRT' }).where('id', '=', t.selfOrganisationId).execute();
  });

  it('Should point the legacy /security.txt at the well-known one', async () => {
    const response = await t.app.inject({ url: '/security.txt' });
    expect(response.statusCode).toBe(301);
    expect(response.headers.location).toBe('/.well-known/security.txt');
  });
});

describe('/rfc2350.txt', () => {
  it('Should serve the team description in Japanese and English, signed, with the team key fingerprint', async () => {
    const key = (await t.app.inject({ url: '/pgp-key.txt' })).body;
    const fingerprint = (await openpgp.readKey({ armoredKey: key })).getFingerprint().toUpperCase();
    const ja = await t.app.inject({ url: '/rfc2350.txt?lang=ja' });
    expect(ja.headers['content-language']).toBe('ja');
    const jaText = await verifiedText(ja.body, key);
    expect(jaText).toContain('テスト CSIRT');
    expect(jaText).toContain('3.1 ミッション');
    expect(jaText).toContain('調整を行います。');
    expect(jaText).toContain('Asia/Tokyo');
    expect(jaText.replace(/ /g, '')).toContain(fingerprint);
    const en = await verifiedText((await t.app.inject({ url: '/rfc2350.txt' })).body, key);
    expect(en).toContain('3.1 Mission Statement');
    expect(en).toContain('We coordinate.');
    expect(en).toContain('Member of: FIRST');
  });
});
