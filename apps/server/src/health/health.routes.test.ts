import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { type Database, openDatabase } from '../db/database.ts';
import { buildApp } from '../app/http-app.ts';
import { systemContext } from '../policy/actor.ts';
import { createServices } from '../app/services.ts';
import { type TestApp, createTestApp } from '../testing/test-app.ts';

describe('GET /api/v1/health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('Should answer 200 ok with the engine, version and uptime, without credentials', async () => {
    const response = await t.app.inject({ url: '/api/v1/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ok',
      database: t.database.engine,
      version: expect.stringMatching(/^\d+\.\d+\.\d+/) as string,
      uptimeSeconds: expect.any(Number) as number,
    });
  });
});

/**
 * A TCP proxy on 127.0.0.1 in front of the PostgreSQL server that can be cut two ways, then restored:
 * `refuse` drops every connection and refuses new ones (the server is down or restarting);
 * `blackhole` keeps connections open but lets no byte through either way (a dead network path).
 */
class CuttableProxy {
  private mode: 'open' | 'refuse' | 'blackhole' = 'open';
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((client) => this.accept(client));

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  cut(mode: 'refuse' | 'blackhole'): void {
    this.mode = mode;
    if (mode === 'refuse') this.dropAll();
  }

  restore(): void {
    // Connections that lost bytes in the black hole are out of step: they must fail so the pool opens fresh ones.
    if (this.mode === 'blackhole') this.dropAll();
    this.mode = 'open';
  }

  async stop(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    client.on('error', () => {});
    if (this.mode === 'refuse') return void client.destroy();
    const upstream = net.connect(this.target.port, this.target.host);
    upstream.on('error', () => client.destroy());
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(from);
      from.on('data', (chunk: Buffer) => void (this.mode === 'open' && to.write(chunk)));
      from.on('close', () => {
        this.sockets.delete(from);
        to.destroy();
      });
    }
  }

  private dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}

const databaseUrl = process.env.DATABASE_URL;

describe('health while the PostgreSQL connection is cut and restored', () => {
  let proxy: CuttableProxy;
  let database: Database;
  let app: FastifyInstance;
  let token: string;
  let name: string;

  beforeAll(async () => {
    if (!databaseUrl) return;
    const server = new URL(databaseUrl);
    // A fresh database of our own, copied from the run's migrated template.
    name = `${inject('postgresTemplate')}_health_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${inject('postgresTemplate')}"`);
    await admin.end();

    proxy = new CuttableProxy({ host: server.hostname, port: Number(server.port || 5432) });
    const proxied = new URL(databaseUrl);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(await proxy.start());
    proxied.pathname = `/${name}`;
    database = await openDatabase({ kind: 'postgresql', url: proxied.toString() });
    const config = loadConfig({ RENKEI_LOG_LEVEL: 'silent', RENKEI_DATA_DIR: '/nonexistent-test-data' });
    const services = createServices(database, config);
    await database.db
      .insertInto('organisations')
      .values({ name: 'Health CSIRT', name_ja: null, kind: 'csirt', is_self: true, contact_email: null, contact_phone: null, website: null })
      .execute();
    const user = await services.accounts.createUser(systemContext('test'), {
      email: 'health@test.example',
      displayName: 'Health',
      password: 'health-test-password-1',
      roles: ['analyst'],
    });
    token = (await services.accounts.createToken(systemContext('test'), { name: 'health', roles: ['analyst'], expiresInDays: 1, userId: user.id })).token;
    app = await buildApp(config, services);
    await app.ready();
  });

  afterAll(async () => {
    if (!databaseUrl) return;
    await app?.close();
    await database?.close();
    await proxy?.stop();
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  async function health(): Promise<{ status: number; body: { status: string; database: string; reason?: string }; ms: number }> {
    const started = Date.now();
    const response = await app.inject({ url: '/api/v1/health' });
    return { status: response.statusCode, body: response.json(), ms: Date.now() - started };
  }

  it.skipIf(!databaseUrl)(
    'Should answer 503 with a reason at once while the server refuses connections, and 200 when it is back (needs DATABASE_URL: skipped on PGlite)',
    async () => {
      expect(await health()).toMatchObject({ status: 200, body: { status: 'ok', database: 'postgresql' } });

      proxy.cut('refuse');
      const down = await health();
      expect(down).toMatchObject({ status: 503, body: { status: 'unavailable', database: 'postgresql', reason: 'database unreachable' } });
      expect(down.ms).toBeLessThan(2000);
      const me = await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      expect(me.statusCode).toBe(503);
      expect(me.json<{ error: { code: string } }>().error.code).toBe('service_unavailable');
      expect(me.body).not.toMatch(/SELECT|ECONNREFUSED|127\.0\.0\.1|\bat \S+:\d+/);

      proxy.restore();
      await expect.poll(async () => (await health()).status, { timeout: 5000 }).toBe(200);
      expect((await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    },
  );

  it.skipIf(!databaseUrl)(
    'Should answer 503 within the probe timeout while the server never answers, and 200 when it is back (needs DATABASE_URL: skipped on PGlite)',
    async () => {
      proxy.cut('blackhole');
      const down = await health();
      expect(down).toMatchObject({ status: 503, body: { status: 'unavailable', reason: expect.stringMatching(/did not answer within \d+ ms/) as string } });
      expect(down.ms).toBeLessThan(3000);

      proxy.restore();
      await expect.poll(async () => (await health()).status, { timeout: 8000 }).toBe(200);
    },
  );
});
