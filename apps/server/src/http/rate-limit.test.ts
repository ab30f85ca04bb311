import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app/http-app.ts';
import { systemContext } from '../policy/actor.ts';
import { type TestApp, type TestUser, createTestApp } from '../testing/test-app.ts';
import { createRateLimitCounter } from './rate-limit-store.ts';

/*
 * Limits counted in the database: per API token and per organisation for API submissions, per client
 * address for login and public forms, the same whichever server process a request reaches. Requests go
 * over real loopback HTTP, in parallel.
 */

let t: TestApp;
let second: FastifyInstance;
const base: string[] = [];

beforeAll(async () => {
  t = await createTestApp({ RENKEI_API_SUBMISSIONS_PER_TOKEN: '5', RENKEI_API_SUBMISSIONS_PER_ORGANISATION: '8', RENKEI_LOGIN_RATE_LIMIT: '4' });
  // A second server over the same database, as a second `renkei serve` behind a load balancer.
  second = await buildApp(t.config, t.services);
  for (const app of [t.app, second]) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    base.push(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
  }
});
afterAll(async () => {
  await second.close();
  await t.close();
});

async function fileReports(origin: string, token: string, count: number): Promise<{ status: number; retryAfter: string | null; code: string | null }[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const response = await fetch(`${origin}/api/v1/reports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: `Parallel report ${i}` }),
      });
      const body = (await response.json()) as { error?: { code: string } };
      return { status: response.status, retryAfter: response.headers.get('retry-after'), code: body.error?.code ?? null };
    }),
  );
}

const tally = (answers: { status: number }[]) => answers.reduce<Record<number, number>>((out, a) => ({ ...out, [a.status]: (out[a.status] ?? 0) + 1 }), {});

describe('API submission limits per token and per organisation', () => {
  let partner: TestUser;

  beforeAll(async () => {
    partner = await t.createUser(['partner']);
  });

  it('Should take exactly the per-token limit of parallel submissions, split over two servers, and answer the rest 429 with Retry-After', async () => {
    const before = await t.database.db.selectFrom('reports').select(t.database.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const answers = [...(await Promise.all([fileReports(base[0]!, partner.token, 6), fileReports(base[1]!, partner.token, 6)]))].flat();
    expect(tally(answers)).toEqual({ 201: 5, 429: 7 });
    for (const refused of answers.filter((a) => a.status === 429)) {
      expect(refused.code).toBe('rate_limited');
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    }
    const after = await t.database.db.selectFrom('reports').select(t.database.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n) - Number(before.n)).toBe(5);
  });

  it("Should count every token of one organisation against the organisation's limit, and no other organisation's", async () => {
    const { token: another } = await t.services.accounts.createToken(systemContext('test'), {
      name: 'second tool',
      roles: ['partner'],
      expiresInDays: 1,
      userId: partner.id,
    });
    // The organisation has used 5 of its 8 (what the first token's own limit refused never reached it).
    expect(tally(await fileReports(base[1]!, another, 4))).toEqual({ 201: 3, 429: 1 });
    const stranger = await t.createUser(['partner']);
    expect(tally(await fileReports(base[0]!, stranger.token, 2))).toEqual({ 201: 2 });
  });

  it('Should name the limit in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ url: '/api/docs/json' })).json<{ paths: Record<string, { post?: { responses: Record<string, unknown> } }> }>();
    expect(Object.keys(doc.paths['/api/v1/reports']!.post!.responses)).toContain('429');
  });
});

describe('Limits per client address, shared by every server', () => {
  it('Should refuse the fifth login a minute from one address though it reached a different server than the first four', async () => {
    const attempt = (origin: string) =>
      fetch(`${origin}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@test.example', password: 'wrong' }),
      });
    const statuses = [];
    for (const origin of [base[0]!, base[1]!, base[0]!, base[1]!, base[1]!]) statuses.push((await attempt(origin)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
  });
});

describe('The counter', () => {
  it('Should start a new window at 1 once the old one has ended, and keep keys apart', async () => {
    const counter = createRateLimitCounter(t.database.db);
    expect((await counter.hit('test:a', 60_000)).hits).toBe(1);
    expect((await counter.hit('test:a', 60_000)).hits).toBe(2);
    expect((await counter.hit('test:b', 60_000)).hits).toBe(1);
    await sql`UPDATE rate_limit_counters SET window_ends_at = now() - interval '1 second' WHERE key = 'test:a'`.execute(t.database.db);
    const fresh = await counter.hit('test:a', 60_000);
    expect(fresh.hits).toBe(1);
    expect(fresh.ttlMs).toBeGreaterThan(50_000);
  });

  it('Should keep a very long key distinct from another that shares its start', async () => {
    const counter = createRateLimitCounter(t.database.db);
    const long = `route:${'x'.repeat(400)}`;
    expect((await counter.hit(`${long}:1`, 60_000)).hits).toBe(1);
    expect((await counter.hit(`${long}:2`, 60_000)).hits).toBe(1);
    expect((await counter.hit(`${long}:1`, 60_000)).hits).toBe(2);
  });
});
