import { domainToASCII } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp } from '../testing/test-app.ts';

let t: TestApp;
let analyst: TestUser;
const tokens: string[] = [];

const formToken = (page: string) => /name="form_token" value="([^"]+)"/.exec(page)![1]!;

beforeAll(async () => {
  t = await createTestApp();
  analyst = await t.createUser(['analyst']);
  // Form tokens are refused in their first second (no person is that fast): collect some, then wait once.
  for (let i = 0; i < 12; i++) tokens.push(formToken((await t.request(null, { url: '/report' })).body));
  await new Promise((resolve) => setTimeout(resolve, 1100));
});
afterAll(() => t.close());

const submit = (fields: Record<string, string>, url = '/report?lang=en') =>
  t.request(null, {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ form_token: tokens.pop()!, ...fields }).toString(),
  });

const HOSTILE = `<script>alert(1)</script><img src=x onerror=alert(2)>"'><svg onload=alert(3)>`;

function expectNoInjection(page: string) {
  expect(page).not.toMatch(/<script|<img|<svg/i);
}

describe('the public report form', () => {
  it('Should be shown in Japanese or English by ?lang=, cookie and Accept-Language, without any script', async () => {
    const ja = await t.request(null, { url: '/report', headers: { 'accept-language': 'ja,en;q=0.5' } });
    expect(ja.statusCode).toBe(200);
    expect(ja.body).toContain('<html lang="ja">');
    expect(ja.body).toContain('インシデントの報告');
    const en = await t.request(null, { url: '/report?lang=en', headers: { 'accept-language': 'ja' } });
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('Report an incident');
    expect(en.headers['content-security-policy']).toContain("default-src 'none'");
    expect(en.headers['content-security-policy']).not.toContain('script-src');
    expect(en.body).not.toMatch(/<script/i);
    const cookie = await t.request(null, { url: '/report', headers: { cookie: 'renkei_lang=ja' } });
    expect(cookie.body).toContain('<html lang="ja">');
  });

  it('Should file a report in Japanese, answer its reference, and show the status page with the token only', async () => {
    const response = await submit(
      {
        category: 'phishing',
        indicators: 'hxxps://例え-bank[.]jp/login\n203.0.113.5',
        description: '銀行を装ったフィッシングサイトです。',
        name: '山田',
        email: 'yamada@example.jp',
        tlp: 'amber',
      },
      '/report?lang=ja',
    );
    expect(response.statusCode, response.body).toBe(201);
    const reference = /IR-\d{4}-\d{6}/.exec(response.body)![0];
    const link = /href="(\/report\/status\?[^"]+)"/.exec(response.body)![1]!.replace(/&#38;/g, '&');
    const status = await t.request(null, { url: link });
    expect(status.statusCode).toBe(200);
    expect(status.body).toContain(reference);
    expect(status.body).toContain('銀行を装ったフィッシングサイトです。');
    expect(status.headers['cache-control']).toBe('no-store');
    expect(status.headers['referrer-policy']).toBe('same-origin');
    const wrong = await t.request(null, { url: link.replace(/token=[^&]+/, 'token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') });
    expect(wrong.statusCode).toBe(200);
    expect(wrong.body).toContain('一致する報告がありません');
    expect(wrong.body).not.toContain(reference);
    const row = await t.database.db.selectFrom('reports').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ channel: 'web', category: 'phishing', reporter_language: 'ja', reporter_email: 'yamada@example.jp' });
    expect(row.follow_up_token_hash).toMatch(/^[0-9a-f]{64}$/);
    const observables = await t.database.db.selectFrom('observables').select(['kind', 'value', 'display']).where('report_id', '=', row.id).execute();
    expect(observables).toContainEqual({ kind: 'domain', value: domainToASCII('例え-bank.jp'), display: '例え-bank.jp' });
    expect(domainToASCII('例え-bank.jp')).toMatch(/^xn--/);
  });

  it('Should store script and HTML in every field as given and render it escaped, in the form and on the status page', async () => {
    const rejected = await submit({ description: '', indicators: '', name: HOSTILE, email: 'not-an-address', organisation: HOSTILE });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.body).toContain('role="alert"');
    expectNoInjection(rejected.body);
    expect(rejected.body).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');

    const response = await submit({ category: HOSTILE, indicators: HOSTILE, description: HOSTILE, name: HOSTILE, organisation: HOSTILE, tlp: HOSTILE });
    expect(response.statusCode, response.body).toBe(201);
    expectNoInjection(response.body);
    const link = /href="(\/report\/status\?[^"]+)"/.exec(response.body)![1]!.replace(/&#38;/g, '&');
    const status = await t.request(null, { url: link });
    expectNoInjection(status.body);
    expect(status.body).toContain('&#60;script&#62;');
    const reference = /IR-\d{4}-\d{6}/.exec(response.body)![0];
    const row = await t.database.db.selectFrom('reports').selectAll().where('reference', '=', reference).executeTakeFirstOrThrow();
    expect(row.description).toContain('<script>alert(1)</script>');
    expect(row).toMatchObject({ reporter_name: HOSTILE, category: 'other', tlp: 'amber' });

    // The reporter answers with a script, the team answers with one: both come back as text.
    const form = formToken(status.body);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const params = new URL(link, 'http://x').searchParams;
    const answered = await t.request(null, {
      method: 'POST',
      url: '/report/status',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ form_token: form, ref: params.get('ref')!, token: params.get('token')!, body: `more: ${HOSTILE}` }).toString(),
    });
    expect(answered.statusCode).toBe(303);
    await t.request(analyst, { method: 'POST', url: `/api/v1/reports/${row.id}/messages`, payload: { body: `team: ${HOSTILE}` } });
    const after = await t.request(null, { url: answered.headers.location });
    expectNoInjection(after.body);
    expect(after.body).toContain('more: &#60;script&#62;');
    expect(after.body).toContain('team: &#60;script&#62;');
  });

  it('Should take the form from a logged-in staff member as an anonymous report, without asking for the session CSRF header', async () => {
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: analyst.email, password: analyst.password } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const response = await t.app.inject({
      method: 'POST',
      url: '/report?lang=en',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        form_token: tokens.pop()!,
        category: 'scan',
        indicators: '198.51.100.7',
        description: 'Scanning from this host',
      }).toString(),
    });
    expect(response.statusCode).toBe(201);
    const reference = /IR-\d{4}-\d{6}/.exec(response.body)?.[0];
    expect(reference).toBeDefined();
  });

  it('Should store nothing when the honeypot is filled, and refuse a form that was not issued here', async () => {
    const before = await t.database.db
      .selectFrom('reports')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const robot = await submit({ description: 'buy pills', website: 'http://spam.example' });
    expect(robot.statusCode).toBe(200);
    expect(robot.body).not.toMatch(/IR-\d{4}/);
    const forged = await t.request(null, {
      method: 'POST',
      url: '/report',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'description=hello&form_token=123.abc.def',
    });
    expect(forged.body).toContain('The form expired');
    const fresh = formToken((await t.request(null, { url: '/report' })).body);
    const tooFast = await t.request(null, {
      method: 'POST',
      url: '/report',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `description=hello&form_token=${fresh}`,
    });
    expect(tooFast.body).toContain('The form expired');
    const afterCount = await t.database.db
      .selectFrom('reports')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(afterCount.n)).toBe(Number(before.n));
  });
});

describe('the public report form under load', () => {
  it('Should file one report per form token, whether the token is sent again later or four times at once', async () => {
    const count = async () =>
      Number(
        (
          await t.database.db
            .selectFrom('reports')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const token = tokens.pop()!;
    const post = (n: number) =>
      t.request(null, {
        method: 'POST',
        url: '/report?lang=en',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ form_token: token, description: `one token, attempt ${n}` }).toString(),
      });
    const racing = await Promise.all([1, 2, 3, 4].map(post));
    expect(racing.filter((r) => /IR-\d{4}/.test(r.body))).toHaveLength(1);
    expect(racing.filter((r) => r.body.includes('The form expired'))).toHaveLength(3);
    expect((await post(5)).body).toContain('The form expired');
    expect(await count()).toBe(before + 1);
  });

  it('Should answer 429 past the per-minute limit for one address', async () => {
    const limited = await createTestApp({ RENKEI_FORM_RATE_LIMIT: '2' });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 3; i++)
        codes.push(
          (
            await limited.request(null, {
              method: 'POST',
              url: '/report',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              payload: 'description=x',
            })
          ).statusCode,
        );
      expect(codes).toEqual([200, 200, 429]);
    } finally {
      await limited.close();
    }
  });
});
