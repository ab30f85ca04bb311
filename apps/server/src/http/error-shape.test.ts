import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import { createServices } from '../app/services.ts';
import { type TestApp, type TestUser, createTestApp } from '../testing/test-app.ts';
import { openTestDatabase } from '../testing/test-database.ts';
import { buildApp } from '../app/http-app.ts';
import { publicFormRateLimit } from './rate-limit.ts';

let t: TestApp;
let analyst: TestUser;
let sessionHeaders: Record<string, string>;

// What must never reach a client: stack frames, SQL, file paths, library internals.
const LEAKS = [/\bat .+\(.+:\d+:\d+\)/, /\bSELECT\b/i, /\bFROM\b/, /syntax error/i, /node_modules/, /\.ts:\d+/, /FST_ERR/, /password_hash/, /relation "/];

/** The one error shape, with the request ID the response header carries. */
function expectErrorShape(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode, response.body.slice(0, 300)).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.json<{ error: Record<string, unknown> }>();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.requestId).toBe(response.headers['x-request-id']);
  expect(Object.keys(body.error).every((key) => ['code', 'message', 'requestId', 'details'].includes(key))).toBe(true);
  for (const leak of LEAKS) expect(response.body).not.toMatch(leak);
}

beforeAll(async () => {
  t = await createTestApp();
  analyst = await t.createUser(['analyst']);
  const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: analyst.email, password: analyst.password } });
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  sessionHeaders = { cookie, 'x-csrf-token': login.json<{ csrfToken: string }>().csrfToken };
});
afterAll(() => t.close());

const json = { 'content-type': 'application/json' };
/** Each way a request can go wrong, with the status and code it must answer. */
const cases: { name: string; status: number; code: string; as?: 'anonymous' | 'token' | 'session'; request: () => InjectOptions }[] = [
  {
    name: 'malformed JSON',
    status: 400,
    code: 'malformed_json',
    request: () => ({ method: 'POST', url: '/api/v1/auth/login', headers: json, payload: '{"email": "a@b.c",' }),
  },
  {
    name: 'an empty body that says it is JSON',
    status: 400,
    code: 'malformed_json',
    request: () => ({ method: 'POST', url: '/api/v1/auth/login', headers: json, payload: '' }),
  },
  {
    name: 'a wrong type in the body',
    status: 400,
    code: 'validation_failed',
    as: 'token',
    request: () => ({ method: 'PATCH', url: '/api/v1/me', payload: { locale: 5 } }),
  },
  {
    name: 'an array where an object goes',
    status: 400,
    code: 'validation_failed',
    request: () => ({ method: 'POST', url: '/api/v1/auth/login', payload: [{ email: 'a@b.c', password: 'x' }] }),
  },
  {
    name: 'a body over the size limit',
    status: 413,
    code: 'payload_too_large',
    request: () => ({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: json,
      payload: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(2 * 1024 * 1024) }),
    }),
  },
  {
    name: 'a form body over the size limit',
    status: 413,
    code: 'payload_too_large',
    request: () => ({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `password=${'x'.repeat(2 * 1024 * 1024)}`,
    }),
  },
  { name: 'an unknown route', status: 404, code: 'route_not_found', request: () => ({ method: 'GET', url: '/api/v1/no-such-thing' }) },
  { name: 'an unknown method on a known path', status: 404, code: 'route_not_found', request: () => ({ method: 'PUT', url: '/api/v1/health' }) },
  {
    name: 'an unknown token ID',
    status: 404,
    code: 'token_not_found',
    as: 'session',
    request: () => ({ method: 'DELETE', url: `/api/v1/tokens/${randomUUID()}` }),
  },
  {
    name: 'an ID that is not a UUID',
    status: 400,
    code: 'validation_failed',
    as: 'session',
    request: () => ({ method: 'DELETE', url: '/api/v1/tokens/not-a-uuid' }),
  },
  {
    name: 'a query parameter of the wrong type',
    status: 400,
    code: 'validation_failed',
    as: 'token',
    request: () => ({ method: 'GET', url: '/api/v1/users?limit=lots' }),
  },
  {
    name: 'an unaccepted content type',
    status: 415,
    code: 'unsupported_media_type',
    request: () => ({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'text/xml' }, payload: '<login/>' }),
  },
  {
    name: 'JSON sent as text/plain',
    status: 415,
    code: 'unsupported_media_type',
    request: () => ({ method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'text/plain' }, payload: '{"email":"a@b.c","password":"x"}' }),
  },
  {
    name: 'a prototype-pollution key',
    status: 400,
    code: 'forbidden_property',
    request: () => ({ method: 'POST', url: '/api/v1/auth/login', headers: json, payload: '{"email":"a@b.c","password":"x","__proto__":{"admin":true}}' }),
  },
  {
    name: 'a constructor.prototype key',
    status: 400,
    code: 'forbidden_property',
    request: () => ({ method: 'POST', url: '/api/v1/auth/login', headers: json, payload: '{"constructor":{"prototype":{"admin":true}}}' }),
  },
  {
    name: 'a NUL character in text',
    status: 400,
    code: 'null_character',
    as: 'token',
    request: () => ({ method: 'PATCH', url: '/api/v1/me', payload: { displayName: 'a\u0000b' } }),
  },
  {
    name: 'a lone UTF-16 surrogate in text',
    status: 400,
    code: 'invalid_unicode',
    as: 'token',
    request: () => ({ method: 'PATCH', url: '/api/v1/me', headers: json, payload: '{"displayName":"a\\ud800b"}' }),
  },
  {
    name: 'a NUL character in the query',
    status: 400,
    code: 'null_character',
    as: 'token',
    request: () => ({ method: 'GET', url: '/api/v1/users?limit=1%00' }),
  },
  {
    name: 'JSON nested 10,000 levels deep',
    status: 400,
    code: 'too_deeply_nested',
    request: () => ({ method: 'POST', url: '/api/v1/auth/login', headers: json, payload: `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}` }),
  },
  { name: 'bad percent-encoding in the path', status: 400, code: 'bad_url', request: () => ({ method: 'DELETE', url: '/api/v1/tokens/%E0%A4%A' }) },
  {
    name: 'an over-long path parameter',
    status: 414,
    code: 'uri_too_long',
    as: 'session',
    request: () => ({ method: 'DELETE', url: `/api/v1/tokens/${'a'.repeat(500)}` }),
  },
  { name: 'no credentials', status: 401, code: 'unauthenticated', request: () => ({ method: 'GET', url: '/api/v1/me' }) },
  {
    name: 'an unknown API token',
    status: 401,
    code: 'invalid_token',
    request: () => ({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Bearer rk_nope' } }),
  },
  { name: 'a role the caller lacks', status: 403, code: 'forbidden', as: 'token', request: () => ({ method: 'GET', url: '/api/v1/users' }) },
  {
    name: 'a cross-site state change',
    status: 403,
    code: 'csrf_failed',
    request: () => ({ method: 'POST', url: '/api/v1/auth/login', headers: { origin: 'https://evil.example' }, payload: { email: 'a@b.c', password: 'x' } }),
  },
];

describe('the one error shape', () => {
  it.each(cases)('Should answer $name with $status $code in the error shape', async ({ status, code, as, request }) => {
    const options = request();
    const headers = { ...(options.headers ?? {}), ...(as === 'session' ? sessionHeaders : {}) };
    const response = as === 'token' ? await t.request(analyst, { ...options, headers }) : await t.app.inject({ ...options, headers });
    expectErrorShape(response, status, code);
  });

  it('Should name the offending field in validation details', async () => {
    const response = await t.request(analyst, { method: 'PATCH', url: '/api/v1/me', payload: { locale: 5 } });
    expect(response.json<{ error: { details: { path: string }[] } }>().error.details[0]!.path).toBe('body/locale');
  });

  it('Should not echo a huge unknown path back in full', async () => {
    const response = await t.app.inject({ method: 'GET', url: `/${'x'.repeat(50_000)}` });
    expectErrorShape(response, 404, 'route_not_found');
    expect(response.body.length).toBeLessThan(1000);
  });
});

describe('failures on our side', () => {
  let app: FastifyInstance;
  let database: Database;
  const logLines: string[] = [];

  beforeAll(async () => {
    database = await openTestDatabase();
    const config = loadConfig({
      RENKEI_LOG_LEVEL: 'info',
      RENKEI_DATA_DIR: '/nonexistent-test-data',
      RENKEI_LOGIN_RATE_LIMIT: '1000',
      RENKEI_FORM_RATE_LIMIT: '3',
    });
    app = await buildApp(config, createServices(database, config), { logStream: { write: (line) => void logLines.push(line) } });
    // Routes only this test has, registered before the app is ready like any domain's.
    app.get('/test/sql-error', async () => sql`SELECT password_hash FROM no_such_table`.execute(database.db));
    app.get('/test/throws-error', async () => {
      throw new Error('syntax error at or near "SELECT" in SELECT * FROM users; see /work/main/apps/server/src/x.ts:12:3');
    });
    app.get('/test/throws-string', async () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- the point: a non-Error thrown
      throw 'SELECT 1 -- a bare string';
    });
    app.get('/test/throws-500-with-status', async () => {
      throw Object.assign(new Error('upstream said: relation "users" does not exist'), { statusCode: 502 });
    });
    app.post('/test/public-form', { config: publicFormRateLimit(config) }, async () => ({ received: true }));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await database.close();
  });

  it.each(['/test/sql-error', '/test/throws-error', '/test/throws-string', '/test/throws-500-with-status'])(
    'Should answer an internal failure at %s with 500 internal_error and no SQL or stack',
    async (url) => {
      const response = await app.inject({ url });
      expectErrorShape(response, 500, 'internal_error');
    },
  );

  it('Should log the failure with its detail under the request ID the client was given', async () => {
    const response = await app.inject({ url: '/test/sql-error', headers: { 'x-request-id': 'trace-sql-error-1' } });
    expect(response.headers['x-request-id']).toBe('trace-sql-error-1');
    const entries = logLines.map((line) => JSON.parse(line) as { reqId?: string; msg?: string; err?: { message?: string } });
    const failure = entries.find((entry) => entry.reqId === 'trace-sql-error-1' && entry.msg === 'request failed');
    expect(failure?.err?.message).toMatch(/no_such_table/);
    expect(entries.filter((entry) => entry.reqId === 'trace-sql-error-1').map((entry) => entry.msg)).toEqual(
      expect.arrayContaining(['incoming request', 'request completed']),
    );
  });

  it('Should keep credentials out of the logs', async () => {
    const secret = `rk_${randomUUID()}`;
    await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${secret}`, cookie: `renkei_session=${secret}` } });
    expect(logLines.join('\n')).not.toContain(secret);
  });

  it('Should answer a public form past its per-minute limit with 429 rate_limited and Retry-After', async () => {
    const send = () => app.inject({ method: 'POST', url: '/test/public-form', payload: {} });
    for (let i = 0; i < 3; i++) expect((await send()).statusCode).toBe(200);
    const refused = await send();
    expectErrorShape(refused, 429, 'rate_limited');
    expect(refused.json<{ error: { message: string } }>().error.message).toMatch(/try again in \d+ s/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('a database that goes away under requests', () => {
  let broken: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    broken = await createTestApp();
    user = await broken.createUser(['analyst']);
    await broken.database.close();
  });
  afterAll(() => broken.close());

  it('Should answer requests that need the database with 503 service_unavailable and no detail', async () => {
    const response = await broken.request(user, { url: '/api/v1/me' });
    expectErrorShape(response, 503, 'service_unavailable');
    expect(response.headers['retry-after']).toBe('5');
  });

  it('Should report the health check as unavailable with a reason', async () => {
    const response = await broken.app.inject({ url: '/api/v1/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ status: 'unavailable', reason: expect.any(String) as string });
    for (const leak of LEAKS) expect(response.body).not.toMatch(leak);
  });
});

describe('requests refused on the wire, before Fastify sees them', () => {
  let address: { port: number };
  beforeAll(async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    address = t.app.server.address() as net.AddressInfo;
  });

  /** Sends raw bytes to the server and reads until it closes the connection. */
  function raw(bytes: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(address.port, '127.0.0.1');
      let received = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (received += chunk));
      socket.on('error', reject);
      socket.on('close', () => resolve(received));
      socket.setTimeout(5000, () => socket.destroy(new Error('no answer in 5 s')));
      socket.write(bytes);
    });
  }

  function parse(response: string): { status: number; headers: string; body: { error: { code: string; requestId: string } } } {
    const [head = '', body = ''] = response.split('\r\n\r\n');
    return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body: JSON.parse(body) as { error: { code: string; requestId: string } } };
  }

  it('Should answer a 100 kB URL with 431 headers_too_large in the error shape', async () => {
    const answer = parse(await raw(`GET /api/v1/health?${'q=1&'.repeat(25_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
    expect(answer.status).toBe(431);
    expect(answer.body.error.code).toBe('headers_too_large');
    expect(answer.headers).toContain(`x-request-id: ${answer.body.error.requestId}`);
  });

  it('Should answer garbage on the wire with 400 bad_request in the error shape', async () => {
    const answer = parse(await raw('\u0001\u0002 NOT HTTP AT ALL\r\n\r\n'));
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('bad_request');
  });

  it('Should still serve requests afterwards', async () => {
    expect((await t.app.inject({ url: '/api/v1/health' })).statusCode).toBe(200);
  });
});
