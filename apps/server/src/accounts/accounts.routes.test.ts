import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccess } from '../testing/access.ts';
import { type TestApp, type TestUser, createTestApp } from '../testing/test-app.ts';
import { MAX_FAILED_LOGINS } from './accounts.service.ts';
import { generateTotpSecret, totpCode, totpStep } from './totp.ts';

let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.createUser(['admin']);
});
afterAll(() => t.close());

function cookieOf(response: { headers: Record<string, unknown> }): string {
  const raw = response.headers['set-cookie'];
  const first = (Array.isArray(raw) ? raw[0] : raw) as string;
  return first.split(';')[0]!;
}

async function login(email: string, password: string, totp?: string) {
  return t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password, ...(totp ? { totp } : {}) } });
}

describe('login and sessions', () => {
  it('Should log in with the right password and answer /me with the session cookie', async () => {
    const user = await t.createUser(['analyst']);
    const response = await login(user.email.toUpperCase(), user.password);
    expect(response.statusCode).toBe(200);
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    const me = await t.app.inject({ url: '/api/v1/me', headers: { cookie: cookieOf(response) } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email: user.email, roles: ['analyst'], totpEnabled: false });
  });

  it('Should refuse a wrong password with the same answer as an unknown account', async () => {
    const user = await t.createUser(['analyst']);
    const wrong = await login(user.email, 'not the password');
    const unknown = await login('nobody@test.example', 'whatever');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('invalid_credentials');
    expect(unknown.json().error.code).toBe('invalid_credentials');
  });

  it('Should lock the account after repeated failures, even for the right password', async () => {
    const user = await t.createUser(['analyst']);
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) expect((await login(user.email, 'wrong')).statusCode).toBe(401);
    const right = await login(user.email, user.password);
    expect(right.statusCode).toBe(401);
    // A locked account answers as an unknown one does, so the answer does not tell which accounts exist.
    const unknown = await login('nobody-at-all@test.example', user.password);
    expect({ ...right.json().error, requestId: null }).toEqual({ ...unknown.json().error, requestId: null });
    const audit = await t.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'user.lock').where('target_id', '=', user.id).execute();
    expect(audit).toHaveLength(1);
  });

  it('Should end the session on logout', async () => {
    const user = await t.createUser(['analyst']);
    const cookie = cookieOf(await login(user.email, user.password));
    const me = (await t.app.inject({ url: '/api/v1/me', headers: { cookie } })).json();
    const logout = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie, 'x-csrf-token': me.csrfToken } });
    expect(logout.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(401);
  });
});

describe('CSRF protection of cookie sessions', () => {
  it('Should refuse a state change without the CSRF token, and accept it with the token', async () => {
    const user = await t.createUser(['analyst']);
    const cookie = cookieOf(await login(user.email, user.password));
    const me = (await t.app.inject({ url: '/api/v1/me', headers: { cookie } })).json();
    const without = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { cookie }, payload: { locale: 'ja' } });
    expect(without.statusCode).toBe(403);
    expect(without.json().error.code).toBe('csrf_failed');
    const wrong = await t.app.inject({ method: 'PATCH', url: '/api/v1/me', headers: { cookie, 'x-csrf-token': 'x'.repeat(32) }, payload: { locale: 'ja' } });
    expect(wrong.statusCode).toBe(403);
    const crossSite = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie, 'x-csrf-token': me.csrfToken, origin: 'https://evil.example' },
      payload: { locale: 'ja' },
    });
    expect(crossSite.statusCode).toBe(403);
    const ok = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie, 'x-csrf-token': me.csrfToken },
      payload: { locale: 'ja', timeZone: 'Asia/Tokyo' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ locale: 'ja', timeZone: 'Asia/Tokyo' });
  });

  it('Should not ask API token requests for a CSRF token', async () => {
    const user = await t.createUser(['analyst']);
    const response = await t.request(user, { method: 'PATCH', url: '/api/v1/me', payload: { locale: 'ja' } });
    expect(response.statusCode).toBe(200);
  });
});

describe('login under concurrency', () => {
  async function withTotp(user: TestUser): Promise<string> {
    const secret = generateTotpSecret();
    await t.database.db.updateTable('users').set({ totp_secret: secret, totp_enabled_at: new Date() }).where('email', '=', user.email).execute();
    return secret;
  }

  it('Should count every one of many parallel wrong passwords and lock the account', async () => {
    const user = await t.createUser(['analyst']);
    const answers = await Promise.all(Array.from({ length: 9 }, () => login(user.email, 'wrong password')));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(9).fill(401));
    const row = await t.database.db.selectFrom('users').select(['failed_logins', 'locked_until']).where('email', '=', user.email).executeTakeFirstOrThrow();
    expect(row.locked_until!.getTime()).toBeGreaterThan(Date.now());
    // Five locked it; the four after it count towards the next lock.
    expect(row.failed_logins).toBe(9 - MAX_FAILED_LOGINS);
    expect((await login(user.email, user.password)).statusCode).toBe(401);
    const locks = await t.database.db.selectFrom('audit_log').select('seq').where('action', '=', 'user.lock').where('target_id', '=', user.id).execute();
    expect(locks).toHaveLength(1);
  });

  it('Should accept one TOTP code once when three logins present it in parallel', async () => {
    const user = await t.createUser(['analyst']);
    const secret = await withTotp(user);
    const code = totpCode(secret, totpStep(new Date()));
    const answers = await Promise.all(Array.from({ length: 3 }, () => login(user.email, user.password, code)));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 401, 401]);
    expect(answers.filter((a) => a.statusCode === 401).map((a) => a.json().error.code)).toEqual(['totp_invalid', 'totp_invalid']);
    const sessions = await t.database.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
    expect(sessions).toHaveLength(1);
  });

  it('Should count wrong second factors towards the lock-out', async () => {
    const user = await t.createUser(['analyst']);
    const secret = await withTotp(user);
    const step = totpStep(new Date());
    const wrong = totpCode(secret, step) === '000000' ? '111111' : '000000';
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) expect((await login(user.email, user.password, wrong)).json().error.code).toBe('totp_invalid');
    const right = await login(user.email, user.password, totpCode(secret, step));
    expect(right.statusCode).toBe(401);
    expect(right.json().error.code).toBe('invalid_credentials');
  });
});

describe('TOTP second factor', () => {
  it('Should enrol TOTP, then require a fresh code at login', async () => {
    const user = await t.createUser(['coordinator']);
    const cookie = cookieOf(await login(user.email, user.password));
    const csrf = (await t.app.inject({ url: '/api/v1/me', headers: { cookie } })).json().csrfToken as string;
    const headers = { cookie, 'x-csrf-token': csrf };
    const setup = await t.app.inject({ method: 'POST', url: '/api/v1/me/totp/setup', headers });
    expect(setup.statusCode).toBe(200);
    const { secret, otpauthUri } = setup.json();
    expect(otpauthUri).toContain(`secret=${secret}`);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/me/totp/enable', headers, payload: { code: '000000' } })).json().error.code).toBe(
      'totp_invalid',
    );
    const step = totpStep(new Date());
    const enabled = await t.app.inject({ method: 'POST', url: '/api/v1/me/totp/enable', headers, payload: { code: totpCode(secret, step) } });
    expect(enabled.statusCode).toBe(200);
    expect(enabled.json().totpEnabled).toBe(true);

    const withoutCode = await login(user.email, user.password);
    expect(withoutCode.json().error.code).toBe('totp_required');
    // The enrolment used the current step; the next one is still inside the drift window.
    const next = totpCode(secret, step + 1);
    expect((await login(user.email, user.password, next)).statusCode).toBe(200);
    expect((await login(user.email, user.password, next)).json().error.code).toBe('totp_invalid');
  });
});

describe('API tokens', () => {
  it('Should show a token once, store only its hash, and stop it working when revoked', async () => {
    const user = await t.createUser(['analyst', 'coordinator']);
    const created = await t.request(user, { method: 'POST', url: '/api/v1/tokens', payload: { name: 'sensor', roles: ['analyst'], expiresInDays: 30 } });
    // A token may not mint tokens: only sessions may.
    expect(created.statusCode).toBe(403);
    const cookie = cookieOf(await login(user.email, user.password));
    const csrf = (await t.app.inject({ url: '/api/v1/me', headers: { cookie } })).json().csrfToken as string;
    const made = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { name: 'sensor', roles: ['analyst'], expiresInDays: 30 },
    });
    expect(made.statusCode).toBe(201);
    const { token, id } = made.json();
    const stored = await t.database.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(token);
    const me = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.json().roles).toEqual(['analyst']);
    const revoke = await t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: { cookie, 'x-csrf-token': csrf } });
    expect(revoke.statusCode).toBe(204);
    const after = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('invalid_token');
  });

  it('Should refuse a token carrying a role its user does not hold', async () => {
    const user = await t.createUser(['analyst']);
    const cookie = cookieOf(await login(user.email, user.password));
    const csrf = (await t.app.inject({ url: '/api/v1/me', headers: { cookie } })).json().csrfToken as string;
    const made = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { name: 'x', roles: ['admin'], expiresInDays: 1 },
    });
    expect(made.statusCode).toBe(403);
    expect(made.json().error.code).toBe('role_not_held');
  });

  it('Should answer garbage bearer tokens with 401, not an error', async () => {
    for (const token of ['rk_', 'rk_' + 'a'.repeat(5000), 'not-a-token', "rk_' OR 1=1 --", 'rk_\u0000']) {
      const response = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      expect(response.statusCode).toBe(401);
    }
  });
});

describe('user administration', () => {
  it('Should let only admins list and create users', async () => {
    await expectAccess(t, { method: 'GET', url: '/api/v1/users' }, { allowed: ['admin'] });
    await expectAccess(
      t,
      (role) => ({
        method: 'POST',
        url: '/api/v1/users',
        payload: { email: `new-${role}-${Math.random().toString(36).slice(2)}@test.example`, displayName: 'New', roles: ['analyst'] },
      }),
      { allowed: ['admin'] },
    );
  });

  it('Should create a user whose creation is in the audit log', async () => {
    const response = await t.request(admin, {
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: 'Analyst@Test.Example', displayName: '分析 太郎', password: 'a-long-enough-password', roles: ['analyst'], locale: 'ja' },
    });
    expect(response.statusCode).toBe(201);
    const user = response.json();
    expect(user).toMatchObject({ email: 'analyst@test.example', displayName: '分析 太郎', locale: 'ja' });
    const entry = await t.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'user.create')
      .where('target_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(entry.actor_id).toBe(admin.id);
    const again = await t.request(admin, {
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: 'analyst@test.example', displayName: 'x', roles: ['analyst'] },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('email_taken');
  });
});

describe('login rate limit', () => {
  it('Should answer 429 in the error shape once a client passes the per-minute limit', async () => {
    const limited = await createTestApp({ RENKEI_LOGIN_RATE_LIMIT: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const response = await limited.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'x@test.example', password: 'y' } });
        statuses.push(response.statusCode);
        if (response.statusCode === 429) expect(response.json().error.code).toBe('rate_limited');
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});
