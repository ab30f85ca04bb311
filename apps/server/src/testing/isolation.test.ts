import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app/http-app.ts';
import { expectIsolation } from './isolation.ts';
import { type TestApp, createTestApp } from './test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('isolation between outside organisations', () => {
  it('Should show organisation B none of organisation A’s rows through any read route the app registers', async () => {
    const { requests, routes } = await expectIsolation(t);
    // Guards the helper itself: it must have found the API's read routes and asked them many times.
    expect(routes).toBeGreaterThan(40);
    expect(requests).toBeGreaterThan(1000);
  }, 300_000);

  it('Should fail when a route leaks another organisation’s rows, by list or by detail', async () => {
    const app = await buildApp(t.config, t.services);
    // A throwaway route with no scope: every organisation's name for anyone signed in.
    app.get('/api/v1/leak/organisations', async () => ({
      items: await t.database.db.selectFrom('organisations').select(['id', 'name']).execute(),
    }));
    // A search that matches any organisation by name, whoever asks.
    app.post('/api/v1/leak/search', { schema: { body: { type: 'object', properties: { q: { type: 'string' } } } } }, async (request) => {
      const { q } = request.body as { q?: string };
      return { items: q ? await t.database.db.selectFrom('organisations').select('contact_email').where('name', 'ilike', `%${q}%`).execute() : [] };
    });
    // A detail route that tells a hidden row from a missing one without showing its content.
    app.get('/api/v1/leak/reports/:id', async (request, reply) => {
      const { id } = request.params as { id: string };
      const found = /^[0-9a-f-]{36}$/.test(id) && (await t.database.db.selectFrom('reports').select('id').where('id', '=', id).executeTakeFirst());
      return found
        ? reply.code(403).send({ error: { code: 'forbidden', message: 'Hidden' } })
        : reply.code(404).send({ error: { code: 'not_found', message: 'Not found' } });
    });
    await app.ready();
    try {
      const failure = await expectIsolation({ ...t, app }, { marker: 'leaktest', roles: ['partner'] }).then(
        () => null,
        (error: unknown) => String(error),
      );
      expect(failure).toContain('/api/v1/leak/organisations');
      expect(failure).toContain('leaktest');
      expect(failure).toMatch(/\/api\/v1\/leak\/reports\/[0-9a-f-]{36} → 403/);
      expect(failure).toContain('POST /api/v1/leak/search → 200 shows noc@leaktest.example');
      // The real routes stay clean in the same run: only the throwaway ones are named.
      expect(failure!.split('\n').filter((line) => /(GET|POST) \/api\/v1\//.test(line) && !line.includes('/leak/'))).toEqual([]);
    } finally {
      await app.close();
    }
  }, 300_000);
});
