import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccess } from '../testing/access.ts';
import { type TestApp, type TestUser, createTestApp } from '../testing/test-app.ts';

let t: TestApp;
let admin: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.createUser(['admin']);
});
afterAll(() => t.close());

describe('GET /api/v1/audit', () => {
  it('Should let only admins read the audit log', async () => {
    await expectAccess(t, { method: 'GET', url: '/api/v1/audit' }, { allowed: ['admin'] });
  });

  it('Should list entries newest first, in pages, with what an administrator needs to read them', async () => {
    const created = await t.request(admin, {
      method: 'POST',
      url: '/api/v1/users',
      payload: { email: 'audited@test.example', displayName: 'Audited', roles: ['analyst'] },
    });
    expect(created.statusCode).toBe(201);
    const first = await t.request(admin, { method: 'GET', url: '/api/v1/audit?limit=2' });
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.items).toHaveLength(2);
    expect(page.items[0]).toMatchObject({
      action: 'user.create',
      targetType: 'user',
      targetId: created.json().id,
      actor: `${admin.email} (token)`,
      ip: '127.0.0.1',
    });
    expect(page.items[0].hash).toMatch(/^[0-9a-f]{64}$/);
    expect(page.items[0].seq).toBe(page.total);
    expect(page.items[1].seq).toBe(page.total - 1);
    expect(page.nextOffset).toBe(2);

    const all = (await t.request(admin, { method: 'GET', url: `/api/v1/audit?limit=200` })).json();
    expect(all.items.map((entry: { seq: number }) => entry.seq)).toEqual(Array.from({ length: page.total }, (_, i) => page.total - i));
    expect(all.nextOffset).toBeNull();
    const beyond = (await t.request(admin, { method: 'GET', url: `/api/v1/audit?offset=${page.total}` })).json();
    expect(beyond).toEqual({ items: [], total: page.total, nextOffset: null });
  });

  it('Should refuse page sizes and offsets out of range with a validation error', async () => {
    for (const query of ['limit=0', 'limit=201', 'offset=-1', 'offset=1e20', 'limit=abc']) {
      const response = await t.request(admin, { method: 'GET', url: `/api/v1/audit?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    }
  });
});
