import http from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedEventPage, FeedRunDetail } from '@renkei/contract';
import { systemContext } from '../policy/actor.ts';
import { expectAccess } from '../testing/access.ts';
import { type TestApp, type TestUser, createTestApp } from '../testing/test-app.ts';
import { waitFor } from '../mail/mail-test-kit.ts';
import { addRecipient, shadowserverCsv } from './feeds-test-kit.ts';
import { FETCH_DUE_JOB } from './feeds.jobs.ts';

let t: TestApp;
let coordinator: TestUser;
let analyst: TestUser;
let server: http.Server;
let base: string;
const served = new Map<string, { status: number; body: Buffer; hang?: boolean; location?: string }>();
const ctx = systemContext('test');
const mapping = { name: 'honeypot-x', columns: { src: 'ip', seen: 'time', dport: 'port' }, taxonomy: 'information-gathering', type: 'scanner' };

beforeAll(async () => {
  // The loopback feed server is let through explicitly; everything else internal stays refused.
  t = await createTestApp({ RENKEI_FETCH_ALLOW: '127.0.0.1' });
  coordinator = await t.createUser(['coordinator']);
  analyst = await t.createUser(['analyst']);
  await addRecipient(t.database, { name: 'Routes ISP', net: '198.51.100', abuse: 'abuse@routes-isp.example' });
  await t.services.feeds.ingestBuffer(
    ctx,
    '2026-11-25-scan_ntp-r.csv',
    shadowserverCsv([{ ip: '198.51.100.1' }, { ip: '198.51.100.2' }, { ip: '192.0.2.1' }, { ip: 'bogus' }]),
    { format: 'shadowserver' },
  );
  server = http.createServer((request, response) => {
    const entry = served.get(request.url ?? '');
    if (!entry) return void response.writeHead(404).end();
    if (entry.hang) return; // never answers
    if (entry.location) return void response.writeHead(entry.status, { location: entry.location }).end();
    response.writeHead(entry.status, { 'content-type': 'text/csv' }).end(entry.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await t.services.jobs.stop({ timeoutMs: 2000 });
  await t.close();
});

describe('feeds API', () => {
  it('Should let staff read runs, events, notifications, mappings and sources, and nobody else', async () => {
    const staff = ['admin', 'coordinator', 'analyst', 'publisher'] as const;
    for (const url of ['/api/v1/feeds/runs', '/api/v1/feeds/events', '/api/v1/feeds/notifications', '/api/v1/feeds/mappings', '/api/v1/feeds/sources'])
      await expectAccess(t, { url }, { allowed: staff });
  });

  it('Should let only admins and coordinators change mappings and sources or send notifications', async () => {
    let n = 0;
    await expectAccess(t, () => ({ method: 'POST', url: '/api/v1/feeds/mappings', payload: { ...mapping, name: `m-${++n}` } }), {
      allowed: ['admin', 'coordinator'],
    });
    await expectAccess(
      t,
      () => ({ method: 'POST', url: '/api/v1/feeds/sources', payload: { name: `s-${++n}`, url: `${base}/none.csv`, format: 'shadowserver' } }),
      { allowed: ['admin', 'coordinator'] },
    );
    await expectAccess(t, { method: 'POST', url: '/api/v1/feeds/notifications/send', payload: {} }, { allowed: ['admin', 'coordinator'] });
    await expectAccess(t, { method: 'DELETE', url: '/api/v1/feeds/mappings/no-such' }, { allowed: ['admin', 'coordinator'] });
  });

  it('Should create, read, replace and delete a mapping, refusing bad fields and classes', async () => {
    const created = await t.request(coordinator, { method: 'POST', url: '/api/v1/feeds/mappings', payload: mapping });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'honeypot-x', columns: { src: 'ip', seen: 'time', dport: 'port' }, tlp: 'amber' });
    expect((await t.request(coordinator, { method: 'POST', url: '/api/v1/feeds/mappings', payload: mapping })).statusCode).toBe(409);
    const replaced = await t.request(coordinator, { method: 'PUT', url: '/api/v1/feeds/mappings/honeypot-x', payload: { ...mapping, tlp: 'green' } });
    expect(replaced.json()).toMatchObject({ tlp: 'green' });
    expect((await t.request(analyst, { url: '/api/v1/feeds/mappings/honeypot-x' })).json()).toMatchObject({ tlp: 'green' });
    for (const bad of [
      { ...mapping, name: 'Bad Name' },
      { ...mapping, taxonomy: 'made-up' },
      { ...mapping, columns: { src: 'ip' } },
      { ...mapping, columns: { src: 'ip', seen: 'time', x: 'password' } },
      { ...mapping, columns: { __proto__: 'ip', seen: 'time' } },
    ]) {
      const response = await t.request(coordinator, {
        method: 'POST',
        url: '/api/v1/feeds/mappings',
        payload: JSON.stringify(bad),
        headers: { 'content-type': 'application/json' },
      });
      expect(response.statusCode, JSON.stringify(bad)).toBe(400);
    }
    expect((await t.request(coordinator, { method: 'DELETE', url: '/api/v1/feeds/mappings/honeypot-x' })).statusCode).toBe(204);
    expect((await t.request(coordinator, { url: '/api/v1/feeds/mappings/honeypot-x' })).statusCode).toBe(404);
  });

  it('Should list runs with their summaries and rejected lines, and page events by recipient and type', async () => {
    const runs = (await t.request(analyst, { url: '/api/v1/feeds/runs' })).json();
    const run = runs.items.find((r: { origin: string }) => r.origin === '2026-11-25-scan_ntp-r.csv');
    expect(run).toMatchObject({ state: 'completed', rowsRead: 4, eventsStored: 3, rejected: 1 });
    const detail = (await t.request(analyst, { url: `/api/v1/feeds/runs/${run.id}` })).json<FeedRunDetail>();
    expect(detail.rejects).toMatchObject([{ line: 5, reason: '"bogus" in column ip is not an IP address' }]);
    const mine = (await t.request(analyst, { url: '/api/v1/feeds/events?recipient=ABUSE@routes-isp.example&limit=1' })).json<FeedEventPage>();
    expect(mine.items).toHaveLength(1);
    const next = (
      await t.request(analyst, { url: `/api/v1/feeds/events?recipient=abuse@routes-isp.example&limit=1&before=${mine.next}` })
    ).json<FeedEventPage>();
    expect(next.items).toHaveLength(1);
    expect(next.next).toBeNull();
    expect([...mine.items, ...next.items].map((e) => e.ip).sort()).toEqual(['198.51.100.1', '198.51.100.2']);
    const typed = (await t.request(analyst, { url: '/api/v1/feeds/events?type=ddos-amplifier' })).json<FeedEventPage>();
    expect(typed.items.length).toBeGreaterThanOrEqual(3);
    expect((await t.request(analyst, { url: '/api/v1/feeds/events?limit=501' })).statusCode).toBe(400);
  });

  it('Should fetch a due source from its URL as a job, gzip included, and record failures on the source', async () => {
    served.set('/2026-11-26-scan_ssdp-jp.csv.gz', { status: 200, body: zlib.gzipSync(shadowserverCsv([{ ip: '198.51.100.30', port: 1900 }])) });
    served.set('/broken.csv', { status: 500, body: Buffer.from('no') });
    for (const [name, path] of [
      ['ssdp', '/2026-11-26-scan_ssdp-jp.csv.gz'],
      ['broken', '/broken.csv'],
    ]) {
      expect(
        (
          await t.request(coordinator, {
            method: 'POST',
            url: '/api/v1/feeds/sources',
            payload: { name, url: `${base}${path}`, format: 'shadowserver', intervalMinutes: 60 },
          })
        ).statusCode,
      ).toBe(201);
    }
    await t.services.jobs.startWorker({ concurrency: 1 });
    await t.services.jobs.enqueue(FETCH_DUE_JOB, {});
    const sources = await waitFor(
      async () => (await t.request(analyst, { url: '/api/v1/feeds/sources' })).json<{ id: string; name: string; lastStatus: string | null }[]>(),
      (list) => list.filter((s) => s.name === 'ssdp' || s.name === 'broken').every((s) => s.lastStatus !== null),
      30_000,
    );
    expect(sources.find((s) => s.name === 'ssdp')!.lastStatus).toBe('ok');
    expect(sources.find((s) => s.name === 'broken')!.lastStatus).toBe('fetch failed: HTTP 500');
    const events = (await t.request(analyst, { url: '/api/v1/feeds/events?type=ddos-amplifier' })).json<FeedEventPage>();
    expect(events.items.some((e) => e.ip === '198.51.100.30' && e.reportType === 'scan_ssdp' && e.port === 1900)).toBe(true);
    expect(await t.services.feeds.dueSources()).not.toContain(sources.find((s) => s.name === 'ssdp')!.id);
  });

  it("Should serve a notification's file as a download only", async () => {
    await t.services.feeds.notifyDue(ctx, { force: true });
    // No instance key here (this test app never started a server, which makes one): the mail cannot be
    // signed, so it fails with that reason, and the file is kept.
    const n = (await t.request(analyst, { url: '/api/v1/feeds/notifications?recipient=abuse@routes-isp.example' })).json().items.at(-1);
    expect(n).toMatchObject({ state: 'failed', error: expect.stringContaining('no PGP key') });
    const response = await t.request(analyst, { url: `/api/v1/feeds/notifications/${n.id}/file` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/octet-stream');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="FN-\d{4}-\d{6}\.csv"$/);
    expect(response.body).toContain('198.51.100.1');
    expect(response.body).not.toContain('192.0.2.1');
    // Notified or not, the recipient's events are still found by recipient.
    const byRecipient = (await t.request(analyst, { url: '/api/v1/feeds/events?recipient=abuse@routes-isp.example' })).json<FeedEventPage>();
    expect(byRecipient.items.map((e) => e.ip).sort()).toEqual(['198.51.100.1', '198.51.100.2', '198.51.100.30']);
    expect(byRecipient.items.every((e) => e.notificationId !== null)).toBe(true);
  });
});

describe('feed source destinations', () => {
  it('Should refuse a source URL pointing at an internal address with 422 fetch_refused, naming the address class', async () => {
    const refused: [string, string][] = [
      ['http://10.0.0.5/feed.csv', 'refused: 10.0.0.5 is a private address'],
      ['http://169.254.169.254/latest/meta-data/', 'refused: 169.254.169.254 is a link-local address'],
      ['http://127.0.0.2:9/', 'refused: 127.0.0.2 is a loopback address'],
      ['http://2130706434/', 'refused: 127.0.0.2 is a loopback address'],
      ['http://[::ffff:10.0.0.5]/', 'refused: ::ffff:10.0.0.5 is a private address'],
      ['http://[fd00::1]/', 'refused: fd00::1 is a private address'],
    ];
    for (const [url, message] of refused) {
      const response = await t.request(coordinator, {
        method: 'POST',
        url: '/api/v1/feeds/sources',
        payload: { name: `refused-${url.length}`, url, format: 'shadowserver' },
      });
      expect(response.statusCode, url).toBe(422);
      expect(response.json(), url).toMatchObject({ error: { code: 'fetch_refused', message } });
    }
    // Other schemes do not pass the request schema.
    const ftp = await t.request(coordinator, {
      method: 'POST',
      url: '/api/v1/feeds/sources',
      payload: { name: 'ftp', url: 'ftp://127.0.0.1/x', format: 'shadowserver' },
    });
    expect(ftp.statusCode).toBe(400);
    expect((await t.request(analyst, { url: '/api/v1/feeds/sources' })).json<{ name: string }[]>().some((s) => s.name.startsWith('refused-'))).toBe(false);
  });

  it('Should record a fetch redirected to an internal address as a failed run and on the source, without retrying', async () => {
    served.set('/to-metadata.csv', { status: 302, body: Buffer.alloc(0), location: 'http://169.254.169.254/latest/meta-data/' });
    const created = await t.request(coordinator, {
      method: 'POST',
      url: '/api/v1/feeds/sources',
      payload: { name: 'redirected', url: `${base}/to-metadata.csv`, format: 'shadowserver' },
    });
    expect(created.statusCode).toBe(201);
    const outcome = await t.services.feeds.fetchSource(created.json<{ id: string }>().id);
    const message = 'refused: 169.254.169.254 is a link-local address';
    expect(outcome).toEqual({ skipped: message });
    const source = (await t.request(analyst, { url: '/api/v1/feeds/sources' }))
      .json<{ name: string; lastStatus: string | null }[]>()
      .find((s) => s.name === 'redirected');
    expect(source!.lastStatus).toBe(`fetch refused: ${message}`);
    const runs = (await t.request(analyst, { url: '/api/v1/feeds/runs' })).json<{ items: { origin: string; state: string; error: string | null }[] }>();
    expect(runs.items.find((r) => r.origin === `${base}/to-metadata.csv`)).toMatchObject({ state: 'failed', error: message });
  });
});
