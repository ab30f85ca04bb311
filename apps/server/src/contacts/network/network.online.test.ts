import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { systemContext } from '../../policy/actor.ts';
import { parseFetchAllow } from '../../kernel/fetch-guard.ts';
import { openTestDatabase } from '../../testing/test-database.ts';
import { type NetworkLookupService, createNetworkLookupService } from './network.service.ts';

const ctx = systemContext('test');
let database: Database;
let network: NetworkLookupService;
let server: http.Server;
let base: string;
const hits: string[] = [];
const open = new Set<http.ServerResponse>();
/** The most requests the server held open at once: above 1, the sources were asked in parallel. */
let mostOpenAtOnce = 0;

const rdapNetwork = (abuse: string | null) => ({
  objectClassName: 'ip network',
  handle: 'NET-TEST-1',
  name: 'TEST-NET',
  country: 'NL',
  startAddress: '192.0.2.0',
  endAddress: '192.0.2.255',
  entities: [
    {
      objectClassName: 'entity',
      roles: ['registrant'],
      vcardArray: [
        'vcard',
        [
          ['version', {}, 'text', '4.0'],
          ['email', {}, 'text', 'owner@test-net.example'],
        ],
      ],
    },
    ...(abuse
      ? [
          {
            objectClassName: 'entity',
            roles: ['technical'],
            entities: [
              {
                objectClassName: 'entity',
                roles: ['abuse'],
                vcardArray: [
                  'vcard',
                  [
                    ['fn', {}, 'text', 'Abuse'],
                    ['email', {}, 'text', abuse],
                  ],
                ],
              },
            ],
          },
        ]
      : []),
  ],
});

// One loopback server plays every RDAP server and website: the path picks the behaviour.
function handle(request: http.IncomingMessage, response: http.ServerResponse): unknown {
  const url = request.url ?? '/';
  hits.push(url);
  open.add(response);
  mostOpenAtOnce = Math.max(mostOpenAtOnce, open.size);
  response.on('close', () => open.delete(response));
  const json = (body: unknown, status = 200) => response.writeHead(status, { 'content-type': 'application/rdap+json' }).end(JSON.stringify(body));
  if (url === '/good/ip/192.0.2.1') return json(rdapNetwork('Abuse@Test-Net.example'));
  if (url === '/good/ip/192.0.2.2') return json(rdapNetwork(null));
  if (url.startsWith('/good/domain/'))
    return json({
      objectClassName: 'domain',
      ldhName: url.split('/').pop(),
      entities: [{ roles: ['registrar'], entities: [{ roles: ['abuse'], vcardArray: ['vcard', [['email', {}, 'text', 'abuse@registrar.example']]] }] }],
    });
  if (url.startsWith('/missing/')) return json({ errorCode: 404 }, 404);
  if (url.startsWith('/hang/')) return; // never answers
  if (url.startsWith('/slow-body/')) {
    response.writeHead(200, { 'content-type': 'application/rdap+json' });
    response.write('{"objectClassName":');
    return; // headers, then silence
  }
  if (url.startsWith('/huge/')) {
    // 50 MB, streamed without a length: the client must cut it off.
    response.writeHead(200, { 'content-type': 'application/rdap+json' });
    let sent = 0;
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const pump = () => {
      while (sent < 50 * 1024 * 1024) {
        sent += chunk.length;
        if (!response.write(chunk)) return void response.once('drain', pump);
      }
      response.end();
    };
    return pump();
  }
  if (url.startsWith('/declared-huge/')) return void response.writeHead(200, { 'content-length': String(50 * 1024 * 1024) }).write('{');
  if (url.startsWith('/invalid/'))
    return void response.writeHead(200, { 'content-type': 'application/rdap+json' }).end('{"objectClassName": "ip network", oops');
  if (url.startsWith('/array/')) return json([1, 2, 3]);
  if (url.startsWith('/loop/')) return void response.writeHead(302, { location: url.endsWith('/a') ? url.replace(/a$/, 'b') : url.replace(/b$/, 'a') }).end();
  if (url.startsWith('/error/')) return json({ errorCode: 500 }, 500);
  if (url === '/site-ok/.well-known/security.txt')
    return void response
      .writeHead(200, { 'content-type': 'text/plain' })
      .end('# our policy\nContact: mailto:security@site-ok.example\nContact: https://site-ok.example/report\nExpires: 2099-01-01T00:00:00.000Z\n');
  if (url === '/site-old/.well-known/security.txt')
    return void response.writeHead(200).end('Contact: mailto:old@site-old.example\nExpires: 2001-01-01T00:00:00.000Z\n');
  if (url === '/site-empty/.well-known/security.txt') return void response.writeHead(200).end('Policy: https://x.example\n');
  if (url === '/site-hang/.well-known/security.txt') return;
  response.writeHead(404).end('not found');
}

beforeAll(async () => {
  server = http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  database = await openTestDatabase();
  // The loopback test server is let through explicitly, as an operator would allow an internal range.
  network = createNetworkLookupService(database.db, {
    online: {
      timeoutMs: 1500,
      maxBytes: 256 * 1024,
      securityTxtOrigin: (domain) => `${base}/${domain.split('.')[0]}`,
      guard: { allow: parseFetchAllow('127.0.0.1') },
    },
  });
  // Each /24 of the documentation ranges is served by a different behaviour.
  const ipv4 = {
    version: '1.0',
    publication: '2026-11-01T00:00:00Z',
    services: [
      [['192.0.2.0/24'], [`${base}/good/`]],
      [['198.51.100.0/24'], [`${base}/hang/`]],
      [['203.0.113.0/25'], [`${base}/huge/`]],
      [['203.0.113.128/25'], [`${base}/invalid/`]],
      [['198.18.0.0/24'], [`${base}/loop/a`]],
      [['198.18.1.0/24'], [`${base}/missing/`]],
      [['198.18.2.0/24'], [`${base}/slow-body/`]],
      [['198.18.3.0/24'], [`${base}/declared-huge/`]],
      [['198.18.4.0/24'], [`${base}/array/`]],
      [['198.18.5.0/24'], [`${base}/error/`]],
      [['198.18.6.0/24'], ['http://127.0.0.1:1/']],
    ],
  };
  const dns = { version: '1.0', publication: '2026-11-01T00:00:00Z', services: [[['example', 'test'], [`${base}/good/`]]] };
  const result = await network.importRdapBootstrap(ctx, [
    { fileName: 'ipv4.json', text: JSON.stringify(ipv4) },
    { fileName: 'dns.json', text: JSON.stringify(dns) },
  ]);
  expect(result.map((r) => r.kind)).toEqual(['ipv4', 'dns']);
});

afterAll(async () => {
  for (const response of open) response.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await database.close();
});

describe('Online sources', () => {
  it("Should take the abuse contact from an RDAP entity with the 'abuse' role, nested ones too", async () => {
    const [answer] = await network.lookup(ctx, ['192.0.2.1'], { online: true });
    const host = new URL(base).host;
    expect(answer).toMatchObject({
      abuseContact: { value: 'abuse@test-net.example', source: `rdap:${host}`, confidence: 'high' },
      country: { value: 'NL', source: `rdap:${host}` },
      prefix: { value: '192.0.2.0 - 192.0.2.255', source: `rdap:${host}` },
      online: [{ source: `rdap:${host}`, status: 'answered', detail: null }],
    });
  });

  it('Should say a record without an abuse entity has no abuse contact, and cache answers with their date', async () => {
    const before = hits.length;
    const [first] = await network.lookup(ctx, ['192.0.2.2'], { online: true });
    expect(first).toMatchObject({ abuseContact: { value: null }, online: [{ status: 'answered', detail: 'no abuse contact in the record' }] });
    const [again] = await network.lookup(ctx, ['192.0.2.2', '192.0.2.1'], { online: true });
    expect(hits.length).toBe(before + 1);
    expect(again!.online[0]).toMatchObject({ status: 'cached' });
    const cached = await database.db.selectFrom('rdap_cache').select(['query_key', 'fetched_at']).orderBy('query_key').execute();
    expect(cached.map((row) => row.query_key)).toEqual(['ip:192.0.2.1', 'ip:192.0.2.2']);
    expect(cached[0]!.fetched_at).toBeInstanceOf(Date);
  });

  it('Should record hanging, huge, invalid, looping and failing servers as such, never as "no contact"', async () => {
    mostOpenAtOnce = 0;
    const answers = await network.lookup(
      ctx,
      [
        '198.51.100.1',
        '203.0.113.1',
        '203.0.113.200',
        '198.18.0.1',
        '198.18.1.1',
        '198.18.2.1',
        '198.18.3.1',
        '198.18.4.1',
        '198.18.5.1',
        '198.18.6.1',
        '198.18.9.9',
      ],
      { online: true },
    );
    // Every source is asked at once (a pool of 8), not one after another.
    expect(mostOpenAtOnce).toBeGreaterThanOrEqual(3);
    const outcome = answers.map((a) => `${a.online[0]!.status}: ${a.online[0]!.detail}`);
    expect(outcome[0]).toMatch(/^unanswered: no answer within 1500 ms/);
    expect(outcome[1]).toMatch(/^failed: answer over the 262144-byte limit/);
    expect(outcome[2]).toMatch(/^failed: unreadable answer/);
    expect(outcome[3]).toMatch(/^failed: redirect loop/);
    expect(outcome[4]).toBe('no_record: the server has no record (404)');
    expect(outcome[5]).toMatch(/^unanswered: no answer within 1500 ms/);
    expect(outcome[6]).toMatch(/^failed: answer of 52428800 bytes is over/);
    expect(outcome[7]).toMatch(/^failed: unreadable answer: the answer is not a JSON object/);
    expect(outcome[8]).toBe('failed: HTTP 500');
    expect(outcome[9]).toMatch(/^unanswered: ECONNREFUSED/);
    expect(outcome[10]).toMatch(/^not_configured/);
    for (const answer of answers) expect(answer.abuseContact.value).toBeNull();
    // Nothing but definite answers is cached.
    const cached = await database.db.selectFrom('rdap_cache').select('query_key').where('query_key', '=', 'ip:198.51.100.1').execute();
    expect(cached).toEqual([]);
  });

  it("Should read a site's security.txt, prefer its contact over the registrar's RDAP abuse address, and mark expired files", async () => {
    const [ok, old, empty, hang, none] = await network.lookup(
      ctx,
      ['https://site-ok.example/x', 'site-old.example', 'site-empty.example', 'site-hang.test', 'site-none.test'],
      { online: true },
    );
    expect(ok).toMatchObject({
      abuseContact: { value: 'security@site-ok.example', source: `security.txt:${base}/site-ok/.well-known/security.txt`, confidence: 'high' },
    });
    expect(ok!.online.map((o) => o.status)).toEqual(['answered', 'answered']);
    expect(old).toMatchObject({ abuseContact: { value: 'old@site-old.example', confidence: 'medium' } });
    expect(old!.online[1]).toMatchObject({ status: 'answered', detail: 'expired 2001-01-01T00:00:00.000Z' });
    expect(empty).toMatchObject({ abuseContact: { value: 'abuse@registrar.example', confidence: 'medium' } });
    expect(empty!.online[1]).toMatchObject({ status: 'no_record', detail: 'no Contact line' });
    expect(hang!.online[1]).toMatchObject({ status: 'unanswered' });
    expect(none!.online[1]).toMatchObject({ status: 'no_record', detail: 'no security.txt (404)' });
  });

  it('Should refuse security.txt fetches to private addresses when built from pasted input', async () => {
    const guarded = createNetworkLookupService(database.db, { online: { timeoutMs: 400, securityTxtOrigin: () => base } });
    const [answer] = await guarded.lookup(ctx, ['guarded.test'], { online: true });
    expect(answer!.online[1]).toMatchObject({ status: 'failed', detail: 'refused: 127.0.0.1 is a loopback address' });
  });

  it('Should refuse bootstrap files that are not RDAP bootstrap registries', async () => {
    for (const text of [
      'not json',
      '{"services": 5}',
      '{"services": [[["x"], ["ftp://a"]]]}',
      '{"services": [[["192.0.2.0/24", "example"], ["https://a/"]]]}',
    ]) {
      await expect(network.importRdapBootstrap(ctx, [{ fileName: 'bad.json', text }])).rejects.toMatchObject({ code: 'invalid_bootstrap' });
    }
  });
});
