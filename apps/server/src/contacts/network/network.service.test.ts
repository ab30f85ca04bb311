import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/database.ts';
import { systemContext } from '../../policy/actor.ts';
import { openTestDatabase } from '../../testing/test-database.ts';
import { type NetworkLookupService, createNetworkLookupService } from './network.service.ts';
import { writeMmdb, writeNode } from './testing/mmdb-writer.ts';

const ctx = systemContext('test');
let database: Database;
let network: NetworkLookupService;
let dir: string;

beforeAll(async () => {
  database = await openTestDatabase();
  network = createNetworkLookupService(database.db);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-ipdata-'));
});
afterAll(async () => {
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string | Buffer): string {
  const target = path.join(dir, name);
  fs.writeFileSync(target, content);
  return target;
}

async function addOrganisation(values: {
  name: string;
  kind?: string;
  country?: string | null;
  nationalCsirt?: boolean;
  email?: string | null;
}): Promise<string> {
  const row = await database.db
    .insertInto('organisations')
    .values({
      name: values.name,
      name_ja: null,
      kind: values.kind ?? 'isp',
      contact_email: values.email ?? null,
      contact_phone: null,
      website: null,
      country: values.country ?? null,
      is_national_csirt: values.nationalCsirt ?? false,
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function addNetwork(organisationId: string, kind: 'asn' | 'ipv4' | 'ipv6' | 'domain', value: string, abuseEmail: string | null = null): Promise<void> {
  await database.db.insertInto('organisation_networks').values({ organisation_id: organisationId, kind, value, abuse_email: abuseEmail }).execute();
}

const IP2ASN = [
  '198.51.100.0\t198.51.100.255\t64500\tJP\tEXAMPLE-JP Example Networks',
  '203.0.113.0\t203.0.113.127\t64501\tDE\tBEISPIEL-NET',
  '203.0.113.128\t203.0.113.255\t0\tNone\tNot routed',
  '2001:db8::\t2001:db8:ffff:ffff:ffff:ffff:ffff:ffff\t64502\tFR\tEXEMPLE-V6',
].join('\n');

describe('IP data import and lookup', () => {
  it('Should import an ip2asn TSV and answer prefix, ASN, AS name and country with their source', async () => {
    const summary = await network.importIpData(ctx, file('ip2asn-combined.tsv', `${IP2ASN}\n`));
    expect(summary).toMatchObject({ format: 'ip2asn', source: 'ip2asn', ipv4Ranges: 3, ipv6Ranges: 1, asns: 3, rejectedCount: 0, replaced: null });
    const [v4, v6, unrouted] = await network.lookup(ctx, ['198.51.100.77', '2001:db8:1::5', '203.0.113.200']);
    expect(v4).toMatchObject({
      kind: 'ip',
      prefix: { value: '198.51.100.0/24', source: 'ip2asn:ip2asn-combined.tsv', confidence: 'medium' },
      asn: { value: 64500, source: 'ip2asn:ip2asn-combined.tsv' },
      asName: { value: 'EXAMPLE-JP Example Networks' },
      country: { value: 'JP', source: 'ip2asn:ip2asn-combined.tsv' },
      organisation: { value: null },
    });
    expect(v4!.asn.date).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(v6).toMatchObject({ prefix: { value: '2001:db8::/32' }, asn: { value: 64502 }, country: { value: 'FR' } });
    expect(unrouted).toMatchObject({ prefix: { value: '203.0.113.128/25' }, asn: { value: null }, country: { value: null } });
  });

  it('Should import an RIR delegated file with count-based IPv4 ranges that are not CIDR blocks', async () => {
    const rir = [
      '2|apnic|20261120|5|19830613|20261119|+1000',
      'apnic|*|ipv4|*|3|summary',
      'apnic|JP|ipv4|192.0.2.0|384|20100101|allocated',
      'apnic|KR|ipv4|100.64.0.0|1024|20100101|assigned|A91',
      'apnic|CN|ipv6|2001:db8:8000::|33|20100101|allocated',
      'apnic|JP|asn|64500|2|20100101|allocated',
      'apnic||ipv4|100.70.0.0|256||available',
    ].join('\n');
    const summary = await network.importIpData(ctx, file('delegated-apnic-latest', rir));
    expect(summary).toMatchObject({ format: 'rir', source: 'apnic', dataDate: '2026-11-19', ipv4Ranges: 2, ipv6Ranges: 1, asns: 2, rejectedCount: 0 });
    const [a, b] = await network.lookup(ctx, ['192.0.3.10', '100.64.3.255']);
    // 192.0.2.0 + 384 addresses = 192.0.2.0/24 and 192.0.3.0/25: the prefix shown is the block holding the address.
    expect(a).toMatchObject({
      prefix: { value: '192.0.3.0/25', source: 'rir:delegated-apnic-latest' },
      country: { value: 'JP', source: 'rir:delegated-apnic-latest', date: '2026-11-19' },
      asn: { value: null },
    });
    expect(b).toMatchObject({ prefix: { value: '100.64.0.0/22' }, country: { value: 'KR' }, note: 'carrier-grade NAT (RFC 6598)' });
  });

  it('Should prefer routing data for the ASN and registration data for the country when both cover an address', async () => {
    await network.importIpData(ctx, file('overlap-ip2asn.tsv', '192.0.2.0\t192.0.2.255\t64510\tUS\tOVERLAP-AS\n'), { source: 'overlap' });
    const [answer] = await network.lookup(ctx, ['192.0.2.1']);
    expect(answer).toMatchObject({
      asn: { value: 64510, source: 'ip2asn:overlap-ip2asn.tsv' },
      country: { value: 'JP', source: 'rir:delegated-apnic-latest' },
    });
  });

  it('Should report malformed lines by number and keep every good line', async () => {
    const lines = [
      'apnic|JP|ipv4|10.1.0.0|256|20100101|allocated',
      'apnic|JP|ipv4|10.2.0.999|256|20100101|allocated',
      'garbage without separators',
      'apnic|JAPAN|ipv4|10.3.0.0|256|20100101|allocated',
      'apnic|JP|ipv4|255.255.255.0|512|20100101|allocated',
      'apnic|JP|ipv6|2001:db8::1|32|20100101|allocated',
      'apnic|JP|ipv6|2001:db8::|129|20100101|allocated',
      'apnic|JP|asn|abc|1|20100101|allocated',
      'apnic|JP|ipv4|10.4.0.0|256|20100101|stolen',
      'apnic|JP|mac|10.4.0.0|256|20100101|allocated',
      'apnic|JP|ipv4|10.5.0.0|256|20100101|allocated',
    ].join('\r\n');
    const summary = await network.importIpData(ctx, file('bad-rir.txt', lines), { format: 'rir', source: 'bad-rir' });
    expect(summary.ipv4Ranges).toBe(2);
    expect(summary.rejected.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(summary.rejected[0]!.reason).toMatch(/not an IPv4 address/);
    expect(summary.rejected[3]!.reason).toMatch(/runs past 255.255.255.255/);
    expect(summary.rejected[4]!.reason).toMatch(/host bits/);

    const tsv = [
      '10.6.0.0\t10.6.0.255\t64520\tJP\tOK-1',
      '10.7.0.255\t10.7.0.0\t64521\tJP\tBACKWARDS',
      '10.8.0.0\t10.8.0.255\tAS1\tJP\tX',
      'only\ttwo',
      '10.9.0.0\t10.9.0.255\t64522\tjapan\tX',
      '167772160\t167772415\t64523\tJP\tU32-FORM',
    ].join('\n');
    const tsvSummary = await network.importIpData(ctx, file('bad.tsv', tsv), { source: 'bad-tsv' });
    expect(tsvSummary.ipv4Ranges).toBe(2);
    expect(tsvSummary.rejected.map((r) => r.line)).toEqual([2, 3, 4, 5]);
  });
});

describe('IP data files that are large, damaged, replaced or binary', () => {
  it('Should stream a large gzipped file and reject an over-long line without holding it', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 60_000; i++) lines.push(`11.${i >> 8}.${i & 255}.0\t11.${i >> 8}.${i & 255}.255\t${65000 + (i % 50)}\tJP\tBULK-${i % 50}`);
    lines.splice(30_000, 0, `11.255.0.0\t11.255.0.255\t1\tJP\t${'x'.repeat(200_000)}`);
    const summary = await network.importIpData(ctx, file('bulk.tsv.gz', gzipSync(lines.join('\n'))), { source: 'bulk' });
    expect(summary).toMatchObject({ format: 'ip2asn', ipv4Ranges: 60_000, asns: 50, rejectedCount: 1 });
    expect(summary.rejected[0]).toEqual({ line: 30_001, reason: 'line longer than 65536 bytes' });
    const [answer] = await network.lookup(ctx, ['11.200.7.9']);
    expect(answer).toMatchObject({ prefix: { value: '11.200.7.0/24' }, asn: { value: 65000 + ((200 * 256 + 7) % 50) } });
  }, 60_000);

  it('Should refuse a damaged gzip file and keep the previous dataset', async () => {
    const good = gzipSync('12.0.0.0\t12.0.0.255\t64530\tJP\tGZ\n'.repeat(1));
    await network.importIpData(ctx, file('gz-a.tsv.gz', good), { source: 'gz' });
    const damaged = Buffer.concat([
      gzipSync(Buffer.alloc(100_000, '12.0.1.0\t12.0.1.255\t64531\tJP\tGZ2\n')).subarray(0, 500),
      Buffer.from('not gzip any more'),
    ]);
    await expect(network.importIpData(ctx, file('gz-b.tsv.gz', damaged), { source: 'gz' })).rejects.toMatchObject({ code: 'corrupt_gzip' });
    const [answer] = await network.lookup(ctx, ['12.0.0.1']);
    expect(answer).toMatchObject({ asn: { value: 64530, source: 'ip2asn:gz-a.tsv.gz' } });
  });

  it('Should swap datasets of one source atomically and keep the old one when the new one is empty', async () => {
    await network.importIpData(ctx, file('swap-1.tsv', '13.0.0.0\t13.0.0.255\t64540\tJP\tFIRST\n'), { source: 'swap' });
    await expect(
      network.importIpData(ctx, file('swap-2.tsv', '# nothing but a comment\nbroken\tline\n'), { source: 'swap', format: 'ip2asn' }),
    ).rejects.toMatchObject({ code: 'empty_dataset' });
    expect((await network.lookup(ctx, ['13.0.0.1']))[0]).toMatchObject({ asn: { value: 64540 } });
    const summary = await network.importIpData(ctx, file('swap-3.tsv', '13.0.0.0\t13.0.0.255\t64541\tJP\tSECOND\n'), { source: 'swap' });
    expect(summary.replaced).toMatchObject({ fileName: 'swap-1.tsv' });
    expect((await network.lookup(ctx, ['13.0.0.1']))[0]).toMatchObject({ asn: { value: 64541, source: 'ip2asn:swap-3.tsv' } });
    const datasets = await database.db.selectFrom('ipdata_datasets').select(['file_name', 'state']).where('source', '=', 'swap').execute();
    expect(datasets).toEqual([{ file_name: 'swap-3.tsv', state: 'active' }]);
  });

  it('Should import a MaxMind DB (IPv4 and IPv6 trees, every record size) through the maxmind reader', async () => {
    for (const recordSize of [24, 28, 32] as const) {
      const bytes = writeMmdb({
        ipVersion: 6,
        recordSize,
        databaseType: `Test-ASN-${recordSize}`,
        networks: [
          ['14.0.0.0/16', { autonomous_system_number: 64550, autonomous_system_organization: 'MMDB-NET', country: { iso_code: 'SG' } }],
          ['14.0.5.0/24', { autonomous_system_number: 64551, autonomous_system_organization: 'MMDB-INNER' }],
          ['2001:db9:abcd::/48', { asn: 'AS64552', country_code: 'au' }],
        ],
      });
      const summary = await network.importIpData(ctx, file(`test-${recordSize}.mmdb`, bytes));
      // The /24 inside the /16 splits it in the tree: 8 blocks of the /16 around the /24, as the file itself stores them.
      expect(summary).toMatchObject({ format: 'mmdb', source: `Test-ASN-${recordSize}`, ipv4Ranges: 9, ipv6Ranges: 1, asns: 3 });
    }
    const [outer, inner, v6] = await network.lookup(ctx, ['14.0.200.1', '14.0.5.9', '2001:db9:abcd:1::1']);
    expect(outer).toMatchObject({ prefix: { value: '14.0.128.0/17' }, asn: { value: 64550 }, asName: { value: 'MMDB-NET' }, country: { value: 'SG' } });
    expect(inner).toMatchObject({ prefix: { value: '14.0.5.0/24' }, asn: { value: 64551 }, asName: { value: 'MMDB-INNER' } });
    expect(v6).toMatchObject({ asn: { value: 64552 }, country: { value: 'AU' } });
    expect(v6!.asn.source).toMatch(/^mmdb:test-\d\d\.mmdb$/);
  });

  it('Should refuse an mmdb with a corrupt tree, metadata or data and keep the previous dataset', async () => {
    const good = writeMmdb({ ipVersion: 4, databaseType: 'Corrupt-Test', networks: [['15.0.0.0/8', { autonomous_system_number: 64560 }]] });
    await network.importIpData(ctx, file('good.mmdb', good));
    // A record pointing past the data section.
    const outside = Buffer.from(good);
    writeNode(outside, 0, 24, 0xfffff0, 0xfffff0);
    // A loop: node 1 points back to node 0 on both sides.
    const looped = writeMmdb({
      ipVersion: 4,
      databaseType: 'Corrupt-Test',
      networks: [
        ['15.0.0.0/8', { autonomous_system_number: 64560 }],
        ['16.0.0.0/8', { autonomous_system_number: 64561 }],
      ],
    });
    writeNode(looped, 6, 24, 0, 0);
    // Metadata cut off.
    const truncated = good.subarray(0, good.length - 20);
    // The marker without a search tree before it.
    const tiny = Buffer.concat([Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'), Buffer.from([0xe0])]);
    for (const [name, bytes] of [
      ['outside.mmdb', outside],
      ['looped.mmdb', looped],
      ['truncated.mmdb', truncated],
      ['tiny.mmdb', tiny],
    ] as const) {
      await expect(network.importIpData(ctx, file(name, bytes), { format: 'mmdb' }), name).rejects.toMatchObject({ code: 'corrupt_mmdb' });
    }
    expect((await network.lookup(ctx, ['15.1.2.3']))[0]).toMatchObject({ asn: { value: 64560, source: 'mmdb:good.mmdb' } });
    const loading = await database.db.selectFrom('ipdata_datasets').select('id').where('state', '!=', 'active').execute();
    expect(loading).toEqual([]);
  });
});

describe('The directory in answers', () => {
  let isp: string;
  let customer: string;

  beforeAll(async () => {
    isp = await addOrganisation({ name: 'Example ISP', country: 'JP', email: 'noc@isp.example' });
    customer = await addOrganisation({ name: 'Example Customer', country: 'JP' });
    await addOrganisation({ name: 'JPCERT/CC', kind: 'csirt', country: 'JP', nationalCsirt: true, email: 'info@jpcert.example' });
    await addOrganisation({ name: 'CERT-FR', kind: 'csirt', country: 'FR', nationalCsirt: true, email: 'cert-fr@example.fr' });
    await addNetwork(isp, 'ipv4', '198.51.100.0/24', 'abuse@isp.example');
    await addNetwork(customer, 'ipv4', '198.51.100.64/26', 'security@customer.example');
    await addNetwork(isp, 'asn', '64502');
    await addNetwork(customer, 'domain', 'customer.example', 'cert@customer.example');
    await addNetwork(isp, 'ipv6', '2001:db8:100::/40', null);
  });

  it('Should let the directory win over imported data, by longest prefix', async () => {
    const [wide, narrow] = await network.lookup(ctx, ['198.51.100.10', 'hxxp://198.51.100[.]70/x']);
    expect(wide).toMatchObject({
      prefix: { value: '198.51.100.0/24', source: 'directory', confidence: 'high' },
      asn: { value: 64500, source: 'ip2asn:ip2asn-combined.tsv' },
      organisation: { value: { id: isp, name: 'Example ISP' }, source: 'directory', confidence: 'high' },
      abuseContact: { value: 'abuse@isp.example', source: 'directory', confidence: 'high' },
      nationalCsirt: { value: { name: 'JPCERT/CC', email: 'info@jpcert.example', country: 'JP' }, confidence: 'high' },
    });
    expect(narrow).toMatchObject({
      prefix: { value: '198.51.100.64/26' },
      organisation: { value: { name: 'Example Customer' } },
      abuseContact: { value: 'security@customer.example' },
    });
  });

  it("Should fall back to the organisation's contact, and to the holder of the ASN", async () => {
    const [v6inDirectory, byAsn] = await network.lookup(ctx, ['2001:db8:100::1', '2001:db8:5::1']);
    expect(v6inDirectory).toMatchObject({
      organisation: { value: { name: 'Example ISP' } },
      abuseContact: { value: 'noc@isp.example', source: 'directory: organisation contact', confidence: 'medium' },
    });
    // 2001:db8:5::1 is routed by AS64502 (ip2asn), which the directory says Example ISP holds.
    expect(byAsn).toMatchObject({
      organisation: { value: { name: 'Example ISP' }, source: 'directory (AS64502)', confidence: 'medium' },
      country: { value: 'FR' },
      nationalCsirt: { value: { name: 'CERT-FR' }, confidence: 'medium' },
    });
  });

  it('Should match a domain, its subdomains and URLs to the directory, with IDN in punycode beside its display form', async () => {
    const [domain, sub, idn, cc] = await network.lookup(ctx, ['customer.example', 'hxxps://login.customer[.]example/a', 'https://例え.jp/', 'unknown.fr']);
    expect(domain).toMatchObject({
      kind: 'domain',
      organisation: { value: { name: 'Example Customer' } },
      abuseContact: { value: 'cert@customer.example', source: 'directory' },
    });
    expect(sub).toMatchObject({ normalized: 'login.customer.example', organisation: { value: { name: 'Example Customer' } } });
    expect(idn).toMatchObject({
      normalized: 'xn--r8jz45g.jp',
      display: '例え.jp',
      country: { value: 'JP', source: 'tld:.jp', confidence: 'low' },
      nationalCsirt: { value: { name: 'JPCERT/CC' }, confidence: 'low' },
    });
    expect(cc).toMatchObject({ country: { value: 'FR' }, nationalCsirt: { value: { name: 'CERT-FR' } }, organisation: { value: null } });
  });

  it('Should answer junk with a clear error per item, leaving the other items whole', async () => {
    const answers = await network.lookup(ctx, ['not an ip', '999.1.1.1', '', '198.51.100.10']);
    expect(answers.map((a) => a.kind)).toEqual(['invalid', 'invalid', 'invalid', 'ip']);
    expect(answers[1]!.error).toMatch(/not a valid IPv4 address/);
    expect(answers[3]!.organisation.value?.name).toBe('Example ISP');
  });

  it('Should refuse more than 10,000 items', async () => {
    await expect(network.lookup(ctx, new Array(10_001).fill('192.0.2.1'))).rejects.toMatchObject({ code: 'too_many_items' });
  });
});
