import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createFormGuard } from './form-guard.ts';

const key = randomBytes(32);
const guard = (purpose = 'report', otherKey = key) => createFormGuard({ purpose, key: async () => otherKey });
const now = Date.now();

describe('the public form guard', () => {
  it('Should accept its own token between one second and two hours after issue', async () => {
    const token = await guard().issue(now);
    expect(await guard().verify({ form_token: token }, now + 1000)).toEqual({ fresh: true, robot: false, forged: false });
    expect(await guard().verify({ form_token: token }, now + 2 * 3600_000)).toEqual({ fresh: true, robot: false, forged: false });
  });

  it('Should refuse a token sent too soon, too late, for another form, under another key, or altered', async () => {
    const token = await guard().issue(now);
    expect((await guard().verify({ form_token: token }, now + 500)).fresh).toBe(false);
    expect((await guard().verify({ form_token: token }, now + 2 * 3600_000 + 1)).fresh).toBe(false);
    expect((await guard('subscribe').verify({ form_token: token }, now + 5000)).fresh).toBe(false);
    expect((await guard('report', randomBytes(32)).verify({ form_token: token }, now + 5000)).fresh).toBe(false);
    const [issued, nonce, signature] = token.split('.');
    expect((await guard().verify({ form_token: `${issued}.${nonce}x.${signature}` }, now + 5000)).fresh).toBe(false);
    expect((await guard().verify({ form_token: `${(now - 10_000).toString(36)}.${nonce}.${signature}` }, now + 5000)).fresh).toBe(false);
  });

  it('Should call a token of another form, key or an altered one forged, and an expired or hasty one of its own merely stale', async () => {
    const token = await guard().issue(now);
    expect((await guard().verify({ form_token: token }, now + 500)).forged).toBe(false);
    expect((await guard().verify({ form_token: token }, now + 2 * 3600_000 + 1)).forged).toBe(false);
    expect((await guard('subscribe').verify({ form_token: token }, now + 5000)).forged).toBe(true);
    expect((await guard('report', randomBytes(32)).verify({ form_token: token }, now + 5000)).forged).toBe(true);
    expect((await guard().verify({}, now + 5000)).forged).toBe(true);
  });

  it.each([undefined, '', '123.abc.def', ['a', 'b'], { a: 1 }, 'x'.repeat(500), 'a.b.c.d'])('Should refuse a malformed token %#', async (value) => {
    expect((await guard().verify({ form_token: value }, now)).fresh).toBe(false);
  });

  it('Should call a filled honeypot a robot, and an empty or missing one a person', async () => {
    const token = await guard().issue(now);
    expect((await guard().verify({ form_token: token, website: 'http://spam.example' }, now + 5000)).robot).toBe(true);
    expect((await guard().verify({ form_token: token, website: ['', 'http://spam.example'] }, now + 5000)).robot).toBe(true);
    expect((await guard().verify({ form_token: token, website: '' }, now + 5000)).robot).toBe(false);
    expect((await guard().verify({ form_token: token }, now + 5000)).robot).toBe(false);
  });

  it('Should write the hidden token and a hidden, labelled honeypot into a form, or the token alone', async () => {
    const withTrap = (await guard().fields('ja')).value;
    expect(withTrap).toMatch(/<input type="hidden" name="form_token" value="[\w-]+\.[\w-]+\.[\w-]+" \/>/);
    expect(withTrap).toMatch(/<div hidden>\s*<label for="website">この欄は空のままにしてください<\/label\s*><input id="website" name="website" tabindex="-1"/);
    const tokenOnly = (await guard().fields('en', { honeypot: false })).value;
    expect(tokenOnly).toContain('name="form_token"');
    expect(tokenOnly).not.toContain('website');
  });

  it('Should accept a single-use token once, and record only genuine tokens', async () => {
    const spent = new Map<string, Date>();
    const spend = async (token: string, expiresAt: Date) => !spent.has(token) && Boolean(spent.set(token, expiresAt));
    const once = createFormGuard({ purpose: 'report', key: async () => key, spend });
    const token = await once.issue(now);
    expect((await once.verify({ form_token: token }, now + 5000)).fresh).toBe(true);
    expect((await once.verify({ form_token: token }, now + 6000)).fresh).toBe(false);
    expect([...spent.values()]).toEqual([new Date(now + 2 * 3600_000)]);
    expect((await once.verify({ form_token: `${token.slice(0, -2)}xx` }, now + 5000)).fresh).toBe(false);
    expect(spent.size).toBe(1);
  });
});
