import * as openpgp from 'openpgp';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareMailOnStart } from '../app/mail-start-up.ts';
import { createServices } from '../app/services.ts';
import { type Database, openDatabase } from '../db/database.ts';
import { createLogger } from '../kernel/logger.ts';
import { systemContext } from '../policy/actor.ts';
import { type TestApp, createTestApp } from '../testing/test-app.ts';

// `renkei serve` makes the instance key on its first start, so a README install can sign mail at once.

const onPostgres = Boolean(process.env.DATABASE_URL);
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

async function app(env: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  const t = await createTestApp(env);
  opened.push(t);
  return t;
}

function capture() {
  const lines: string[] = [];
  return { lines, log: createLogger({ level: 'info', name: 'test', destination: { write: (line) => void lines.push(line) } }) };
}

const instanceRows = (database: Database) =>
  database.db.selectFrom('pgp_keys').select(['fingerprint', 'private_armored', 'revoked_at']).where('is_instance_key', '=', true).execute();

describe('the instance key at start', () => {
  it('Should make the key once on the first start and keep it on the next, warning that it is stored unprotected', async () => {
    const t = await app();
    const { lines, log } = capture();
    const first = await prepareMailOnStart(t.services, t.config, log);
    expect(first.instanceKey).toMatchObject({ created: true, protected: false });
    expect(first.instanceKey.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    const warning = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).find((line) => line.msg.includes('RENKEI_PGP_PASSPHRASE'));
    expect(warning).toMatchObject({ level: 40 });
    expect(warning?.msg).toMatch(/stored unprotected/);

    const again = await prepareMailOnStart(t.services, t.config, log);
    expect(again.instanceKey).toEqual({ created: false, fingerprint: first.instanceKey.fingerprint, protected: false });
    expect(await instanceRows(t.database)).toHaveLength(1);
    const audit = await t.database.db.selectFrom('audit_log').select('action').where('action', '=', 'instance_key.generate').execute();
    expect(audit).toHaveLength(1);
    // The key signs: security.txt is published with it.
    const securityTxt = await t.services.contacts.securityTxt();
    const verified = await openpgp.verify({
      message: await openpgp.readCleartextMessage({ cleartextMessage: securityTxt! }),
      verificationKeys: await openpgp.readKey({ armoredKey: (await t.services.contacts.instancePublicKey())!.armored }),
    });
    await expect(verified.signatures[0]!.verified).resolves.toBe(true);
  });

  it('Should encrypt the private key with RENKEI_PGP_PASSPHRASE when it is set, and not warn', async () => {
    const t = await app({ RENKEI_PGP_PASSPHRASE: 'correct horse battery staple' });
    const { lines, log } = capture();
    const started = await prepareMailOnStart(t.services, t.config, log);
    expect(started.instanceKey).toMatchObject({ created: true, protected: true });
    expect(lines.join('')).not.toContain('stored unprotected');
    const [row] = await instanceRows(t.database);
    const stored = await openpgp.readPrivateKey({ armoredKey: row!.private_armored! });
    expect(stored.isDecrypted()).toBe(false);
    await expect(openpgp.decryptKey({ privateKey: stored, passphrase: 'wrong' })).rejects.toThrow();
    expect((await openpgp.decryptKey({ privateKey: stored, passphrase: 'correct horse battery staple' })).isDecrypted()).toBe(true);
    // The running server unlocks it with the same setting to sign.
    expect(await t.services.contacts.securityTxt()).toContain('-----BEGIN PGP SIGNATURE-----');
  });

  it('Should leave a key a test or an admin put in place before the start alone', async () => {
    const t = await app();
    const made = await t.services.contacts.generateInstanceKey(systemContext('test'));
    const started = await prepareMailOnStart(t.services, t.config, capture().log);
    expect(started.instanceKey).toMatchObject({ created: false, fingerprint: made.fingerprint });
    expect(await instanceRows(t.database)).toHaveLength(1);
  });

  it('Should show the fingerprint on the public home page in Japanese and English, and nothing before there is a key', async () => {
    const t = await app();
    const before = await t.app.inject({ url: '/?lang=en' });
    expect(before.body).not.toContain('data-fingerprint');
    const { instanceKey } = await prepareMailOnStart(t.services, t.config, capture().log);
    const grouped = instanceKey.fingerprint.replace(/(.{4})(?=.)/g, '$1 ');
    const en = await t.app.inject({ url: '/?lang=en' });
    expect(en.body).toContain(`<code data-fingerprint="${instanceKey.fingerprint}">${grouped}</code>`);
    expect(en.body).toContain('<a href="/pgp-key.txt">Our PGP key</a>');
    expect(en.body).toContain('Fingerprint:');
    const ja = await t.app.inject({ url: '/?lang=ja' });
    expect(ja.body).toContain(grouped);
    expect(ja.body).toContain('当チームの PGP 公開鍵');
    expect(ja.body).toContain('フィンガープリント:');
  });

  it.skipIf(!onPostgres)(
    'Should make one key between two servers starting at once on PostgreSQL (skipped on PGlite: one connection in one process, two starters cannot race)',
    async () => {
      const t = await app();
      const { rows } = await t.database.pool.query<{ name: string }>('SELECT current_database() AS name');
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${rows[0]!.name}`;
      const other = await openDatabase({ kind: 'postgresql', url: url.toString() });
      opened.push(other);
      const second = createServices(other, t.config, { log: capture().log });
      const results = await Promise.all([prepareMailOnStart(t.services, t.config, capture().log), prepareMailOnStart(second, t.config, capture().log)]);
      expect(results.filter((r) => r.instanceKey.created)).toHaveLength(1);
      expect(results[0].instanceKey.fingerprint).toBe(results[1].instanceKey.fingerprint);
      expect(await instanceRows(t.database)).toHaveLength(1);
    },
  );
});
