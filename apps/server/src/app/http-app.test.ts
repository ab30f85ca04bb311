import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, type TestUser, createTestApp } from '../testing/test-app.ts';

let t: TestApp;
let analyst: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  analyst = await t.createUser(['analyst']);
});
afterAll(() => t.close());

/** A Content-Security-Policy header as directive → sources. */
function csp(response: LightMyRequestResponse): Map<string, string[]> {
  const header = String(response.headers['content-security-policy'] ?? '');
  return new Map(
    header
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((words) => words[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

describe('security headers', () => {
  it.each([
    ['the API', '/api/v1/health'],
    ['an API error', '/api/v1/me'],
    ['an unknown route', '/no-such-page'],
    ['the public site', '/'],
    ['the staff app', '/app/'],
    ['the API docs', '/api/docs'],
  ])('Should send the hardening headers on %s', async (_name, url) => {
    const response = await t.app.inject({ url });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(csp(response).get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp(response).get('object-src') ?? csp(response).get('default-src')).toEqual(expect.arrayContaining([expect.stringMatching(/'none'|'self'/)]));
  });

  it('Should give the staff app a strict CSP: own scripts only, nothing inline but styles', async () => {
    const policy = csp(await t.app.inject({ url: '/app/' }));
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('script-src-attr')).toEqual(["'none'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
  });

  it('Should give the public site a CSP that allows no script at all', async () => {
    const policy = csp(await t.app.inject({ url: '/' }));
    expect(policy.get('default-src')).toEqual(["'none'"]);
    expect(policy.has('script-src')).toBe(false);
    expect(policy.get('style-src')).toEqual(["'self'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'self'"]);
  });

  it('Should not ask browsers to upgrade to https, nor send HSTS, on a plain-http instance', async () => {
    const response = await t.app.inject({ url: '/app/' });
    expect(csp(response).has('upgrade-insecure-requests')).toBe(false);
    expect(csp(await t.app.inject({ url: '/api/docs' })).has('upgrade-insecure-requests')).toBe(false);
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });

  it('Should upgrade requests and send HSTS when the instance is served over https', async () => {
    const https = await createTestApp({ RENKEI_PUBLIC_URL: 'https://csirt.example' });
    try {
      const response = await https.app.inject({ url: '/app/' });
      expect(csp(response).has('upgrade-insecure-requests')).toBe(true);
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    } finally {
      await https.close();
    }
  });
});

describe('request IDs', () => {
  it.each([
    ['a success', { url: '/api/v1/health' }],
    ['a 404', { url: '/nowhere' }],
    ['a 401', { url: '/api/v1/me' }],
    ['a validation error', { method: 'POST' as const, url: '/api/v1/auth/login', payload: { email: 1 } }],
    ['a URL that cannot be decoded', { url: '/api/v1/%zz' }],
    ['the public site', { url: '/' }],
  ])('Should put x-request-id on %s', async (_name, request) => {
    const response = await t.app.inject(request);
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('Should keep a sane incoming x-request-id, on successes and errors alike', async () => {
    for (const url of ['/api/v1/health', '/api/v1/me', '/nowhere', '/api/v1/%zz']) {
      const response = await t.app.inject({ url, headers: { 'x-request-id': 'proxy-7f3a.19_b' } });
      expect(response.headers['x-request-id'], url).toBe('proxy-7f3a.19_b');
    }
    const error = await t.app.inject({ url: '/api/v1/me', headers: { 'x-request-id': 'proxy-7f3a.19_b' } });
    expect(error.json<{ error: { requestId: string } }>().error.requestId).toBe('proxy-7f3a.19_b');
  });

  it.each([
    ['markup', '<script>alert(1)</script>'],
    ['too short', 'abc'],
    ['too long', 'a'.repeat(65)],
    ['a header-splitting attempt', 'abcdefgh\r\nset-cookie: x=1'],
    ['non-ASCII', 'ｒｅｑｕｅｓｔ-ｉｄ-１２３'],
    ['spaces', 'request id with spaces'],
  ])('Should replace an incoming x-request-id that is %s', async (_name, incoming) => {
    const response = await t.app.inject({ url: '/api/v1/health', headers: { 'x-request-id': incoming } });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers['set-cookie']).toBeUndefined();
  });
});

describe('cross-site requests', () => {
  it('Should refuse a login posted from another site, and accept one from our own', async () => {
    const payload = { email: analyst.email, password: analyst.password };
    const foreign = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { origin: 'https://evil.example' }, payload });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json<{ error: { code: string } }>().error.code).toBe('csrf_failed');
    const own = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { origin: t.config.publicUrl }, payload });
    expect(own.statusCode).toBe(200);
  });

  it('Should refuse a cross-site state change even with a valid API token, but not a safe read', async () => {
    const change = await t.request(analyst, { method: 'PATCH', url: '/api/v1/me', headers: { origin: 'null' }, payload: { locale: 'ja' } });
    expect(change.statusCode).toBe(403);
    const read = await t.request(analyst, { method: 'GET', url: '/api/v1/me', headers: { origin: 'https://evil.example' } });
    expect(read.statusCode).toBe(200);
  });
});
