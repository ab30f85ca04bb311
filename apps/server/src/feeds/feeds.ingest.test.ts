import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../policy/actor.ts';
import { type TestApp, createTestApp } from '../testing/test-app.ts';
import { type TestRecipient, addRecipient, ip2asnFile, shadowserverCsv } from './feeds-test-kit.ts';

let t: TestApp;
let isp: TestRecipient;
const ctx = systemContext('test');

beforeAll(async () => {
  t = await createTestApp();
  const data = ip2asnFile(['198.51.100.0\t198.51.100.255\t64500\tJP\tEXAMPLE-JP', '203.0.113.0\t203.0.113.255\t64501\tUS\tEXAMPLE-US']);
  await t.services.networkLookup.importIpData(ctx, data.file);
  data.remove();
  isp = await addRecipient(t.database, { name: 'Example ISP', net: '198.51.100', abuse: 'Abuse@Example-ISP.jp' });
});
afterAll(async () => {
  await t.close();
});

const events = (runId: string) => t.database.db.selectFrom('feed_events').selectAll().where('run_id', '=', runId).orderBy('line').execute();

describe('feeds ingest', () => {
  it('Should turn Shadowserver rows into classified, enriched events with the abuse contact of the longest directory prefix', async () => {
    const csv = shadowserverCsv([
      { ip: '198.51.100.7', port: 123, hostname: 'ntp.example.jp', asn: '64999', geo: 'XX' },
      { ip: '203.0.113.9', port: 123, geo: 'us' },
      { ip: '2001:0db8:0000::1', port: 123 },
    ]);
    const summary = await t.services.feeds.ingestBuffer(ctx, '2026-11-25-scan_ntp-asn-jp-geo.csv', csv, { format: 'shadowserver' });
    expect(summary).toMatchObject({ state: 'completed', rowsRead: 3, eventsStored: 3, duplicates: 0, rejected: 0 });
    const rows = await events(summary.id);
    expect(
      rows.map((r) => [r.ip, r.report_type, r.taxonomy, r.type, r.asn === null ? null : Number(r.asn), r.country, r.recipient, r.organisation_id]),
    ).toEqual([
      ['198.51.100.7', 'scan_ntp', 'vulnerable', 'ddos-amplifier', 64500, 'JP', 'abuse@example-isp.jp', isp.organisationId],
      ['203.0.113.9', 'scan_ntp', 'vulnerable', 'ddos-amplifier', 64501, 'US', null, null],
      ['2001:db8::1', 'scan_ntp', 'vulnerable', 'ddos-amplifier', null, null, null, null],
    ]);
    expect(rows[0]!.extra).toBeNull();
    expect(rows[0]!.observed_at.toISOString()).toBe('2026-11-25T10:00:00.000Z');
  });

  it('Should store the same source, type, IP, port and day once, across rows and runs', async () => {
    const csv = shadowserverCsv([
      { ip: '198.51.100.20', timestamp: '2026-11-20 01:00:00' },
      { ip: '198.51.100.20', timestamp: '2026-11-20 23:59:59' },
      { ip: '198.51.100.20', timestamp: '2026-11-21 00:00:00' },
      { ip: '198.51.100.20', timestamp: '2026-11-20 05:00:00', port: 124 },
    ]);
    const first = await t.services.feeds.ingestBuffer(ctx, '2026-11-20-scan_ntp-x.csv', csv, { format: 'shadowserver' });
    expect(first).toMatchObject({ rowsRead: 4, eventsStored: 3, duplicates: 1 });
    const again = await t.services.feeds.ingestBuffer(ctx, '2026-11-20-scan_ntp-x.csv', csv, { format: 'shadowserver' });
    expect(again).toMatchObject({ rowsRead: 4, eventsStored: 0, duplicates: 4 });
  });

  it('Should reject bad rows by line with a reason, keep them, and lose nothing else', async () => {
    const text = [
      'timestamp,ip,port,hostname',
      '2026-11-25 00:00:01,198.51.100.1,80,ok.example',
      '2026-11-25 00:00:02,not-an-ip,80,x',
      '2026-11-25 00:00:03,198.51.100.3,99999,x',
      'yesterday,198.51.100.4,80,x',
      '2026-11-25 00:00:05,198.51.100.5,80',
      '2026-11-25 00:00:06,198.51.100.6,80,x"y',
      '2026-11-25 00:00:07,198.51.100.7,80,"multi',
      'line host"',
      '2026-11-25 00:00:09,010.1.1.1,80,octal?',
      '2026-11-25 00:00:10,198.51.100.10,80,last',
      '2026-11-25 00:00:11,198.51.100.11,80,"never closed',
    ].join('\n');
    const summary = await t.services.feeds.ingestBuffer(ctx, 'scan_http-2026.csv', Buffer.from(text), { format: 'shadowserver' });
    expect(summary).toMatchObject({ rowsRead: 9, eventsStored: 4, rejected: 6 });
    const detail = await t.services.feeds.getRun(ctx, summary.id);
    expect(detail.rejects.map((r) => [r.line, r.reason])).toEqual([
      [3, '"not-an-ip" in column ip is not an IP address'],
      [4, '"99999" in column port is not a port (0-65535)'],
      [5, '"yesterday" in column timestamp is not a timestamp'],
      [6, 'expected 4 columns, found 3'],
      [10, '"010.1.1.1" in column ip is not an IP address'],
      [12, 'unterminated quoted field (no closing quote within 100 lines or 4194304 bytes)'],
    ]);
    expect((await events(summary.id)).map((r) => [r.line, r.hostname])).toEqual([
      [2, 'ok.example'],
      [7, 'x"y'],
      [8, 'multi\nline host'],
      [11, 'last'],
    ]);
    const kept = await t.database.db.selectFrom('blobs').select('sha256').where('sha256', '=', summary.originalSha256!).executeTakeFirst();
    expect(kept).toBeTruthy();
  });

  it("Should read generic CSV through a saved mapping, with the mapping's class and unmapped columns as extra fields", async () => {
    await t.services.feeds.saveMapping(ctx, {
      name: 'partner-bots',
      columns: { Src: 'ip', Seen: 'time', DPort: 'port', Family: 'tag', junk: 'ignore' },
      taxonomy: 'malicious-code',
      type: 'infected-system',
      tlp: 'green',
    });
    const text =
      'Seen,Src,DPort,Family,junk,Note\r\n2026-11-25T03:04:05Z,198.51.100.44,,mirai,zzz,"<script>alert(1)</script>"\r\n1764039845,198.51.100.45,23,"=cmd|\' /C calc\'!A0",,\r\n';
    const summary = await t.services.feeds.ingestBuffer(ctx, 'partner.csv', Buffer.from(text), { format: 'csv', mapping: 'partner-bots' });
    expect(summary).toMatchObject({ state: 'completed', rowsRead: 2, eventsStored: 2 });
    const rows = await events(summary.id);
    expect(rows.map((r) => [r.source, r.taxonomy, r.type, r.tlp, r.port, r.tag, r.extra])).toEqual([
      ['partner-bots', 'malicious-code', 'infected-system', 'green', null, 'mirai', { note: '<script>alert(1)</script>' }],
      ['partner-bots', 'malicious-code', 'infected-system', 'green', 23, "=cmd|' /C calc'!A0", null],
    ]);
    expect(rows[1]!.observed_at.toISOString()).toBe('2025-11-25T03:04:05.000Z');
  });

  it('Should fail a run whose header has no IP column, and one with no mapping, with clear messages', async () => {
    const summary = await t.services.feeds.ingestBuffer(ctx, 'scan_x.csv', Buffer.from('when,where\n1,2\n'), { format: 'shadowserver' });
    expect(summary).toMatchObject({ state: 'failed', error: expect.stringContaining('no IP address column') });
    await expect(t.services.feeds.ingestBuffer(ctx, 'x.csv', Buffer.from('a\n'), { format: 'csv', mapping: 'nope' })).rejects.toMatchObject({
      code: 'feed_mapping_not_found',
    });
    const empty = await t.services.feeds.ingestBuffer(ctx, 'scan_x.csv', Buffer.alloc(0), { format: 'shadowserver' });
    expect(empty).toMatchObject({ state: 'failed', error: 'The file is empty: no header row' });
  });
});

describe('feeds ingest of hostile files', () => {
  it('Should survive hostile files: a 10 MB field, binary with NULs, 100k columns, endless quotes, gzip that is not', async () => {
    const header = 'timestamp,ip,port,tag\n';
    const cases: [string, Buffer][] = [
      [
        '10 MB field',
        Buffer.concat([
          Buffer.from(header),
          Buffer.from(`2026-11-25 00:00:00,198.51.100.1,1,"${'A'.repeat(10 * 1024 * 1024)}"\n2026-11-25 00:00:00,198.51.100.2,1,fine\n`),
        ]),
      ],
      [
        'binary',
        Buffer.concat([
          Buffer.from(header),
          Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 256)),
          Buffer.from('\n2026-11-25 00:00:00,198.51.100.3,1,fine\n'),
        ]),
      ],
      ['100k columns', Buffer.from(`${header}${'x,'.repeat(100_000)}x\n2026-11-25 00:00:00,198.51.100.4,1,fine\n`)],
      ['quotes', Buffer.from(`${header}${'"\n"x'.repeat(50_000)}\n2026-11-25 00:00:00,198.51.100.5,1,fine\n`)],
      ['not gzip', Buffer.from([0x1f, 0x8b, 0, 1, 2, 3])],
    ];
    for (const [name, content] of cases) {
      const started = Date.now();
      const outcome = await t.services.feeds
        .ingestBuffer(ctx, `scan_${name.replace(/\W/g, '')}.csv`, content, { format: 'shadowserver' })
        .catch((error: Error & { code?: string }) => ({ thrown: error.code ?? error.message }));
      expect(Date.now() - started, name).toBeLessThan(20_000);
      if ('thrown' in outcome) {
        expect(name).toBe('not gzip');
        expect(outcome.thrown).toBe('feed_unreadable');
        continue;
      }
      expect(outcome.rejected, name).toBeGreaterThan(0);
      expect(outcome.eventsStored, name).toBeGreaterThanOrEqual(1);
    }
    const header100k = await t.services.feeds.ingestBuffer(ctx, 'scan_wide.csv', Buffer.from(`${'c,'.repeat(100_000)}ip\n`), { format: 'shadowserver' });
    expect(header100k.state).toBe('failed');
  });

  it('Should keep scripts in every field as data', async () => {
    const xss = '<img src=x onerror=alert(1)>';
    const summary = await t.services.feeds.ingestBuffer(
      ctx,
      'scan_xss.csv',
      shadowserverCsv([{ ip: '198.51.100.99', hostname: xss, tag: `"><script>alert(2)</script>`, extra: xss }]),
      { format: 'shadowserver' },
    );
    const [row] = await events(summary.id);
    expect(row).toMatchObject({ hostname: xss, tag: '"><script>alert(2)</script>', extra: { naics: xss } });
    const count = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log WHERE action = 'feeds.ingest'`.execute(t.database.db);
    expect(count.rows[0]!.n).toBeGreaterThan(0);
  });
});
