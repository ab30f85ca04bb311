import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { openTestDatabase } from '../testing/test-database.ts';
import { parseIpAddress, parseNetworkValue } from './network-values.ts';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

const ok = (input: string) => {
  const parsed = parseNetworkValue(input);
  if (!parsed.ok) throw new Error(`${input}: ${parsed.error}`);
  return `${parsed.kind} ${parsed.value}`;
};

describe('parseNetworkValue', () => {
  it('Should read AS numbers in plain, AS-prefixed and asdot forms', () => {
    expect(ok('AS64500')).toBe('asn 64500');
    expect(ok('as 64500')).toBe('asn 64500');
    expect(ok('64500')).toBe('asn 64500');
    expect(ok('AS1.10')).toBe('asn 65546');
    expect(ok('AS4294967295')).toBe('asn 4294967295');
  });

  it('Should read IPv4 and IPv6 prefixes into canonical form, single addresses as host prefixes', () => {
    expect(ok('192.0.2.0/24')).toBe('ipv4 192.0.2.0/24');
    expect(ok(' 198.51.100.7 ')).toBe('ipv4 198.51.100.7/32');
    expect(ok('2001:DB8:0:0:0:0:0:0/32')).toBe('ipv6 2001:db8::/32');
    expect(ok('2001:db8:0:1:0:0:0:1')).toBe('ipv6 2001:db8:0:1::1/128');
    expect(ok('::ffff:192.0.2.1')).toBe('ipv6 ::ffff:192.0.2.1/128');
  });

  it('Should lower-case domains, refang them and turn IDNs into punycode', () => {
    expect(ok('Example.JP.')).toBe('domain example.jp');
    expect(ok('example[.]co[.]jp')).toBe('domain example.co.jp');
    expect(ok('日本語.jp')).toBe('domain xn--wgv71a119e.jp');
  });

  it('Should write IPv6 prefixes exactly as PostgreSQL prints them', async () => {
    const samples = [
      '2001:db8::/32',
      '2001:0db8:0000:0000:0001:0000:0000:0000/80',
      '::/0',
      '::1',
      'fe80::1:0:0:0:1',
      '1:0:0:2:0:0:0:3',
      '1:2:3:4:5:6:7:8',
      '::ffff:10.0.0.0/104',
      '::2.3.4.5',
    ];
    for (const sample of samples) {
      const parsed = parseNetworkValue(sample, 'ipv6');
      expect(parsed.ok, sample).toBe(true);
      if (!parsed.ok) continue;
      const row = await sql<{ text: string }>`SELECT (${sample.includes('/') ? sample : `${sample}/128`}::cidr)::text AS text`.execute(database.db);
      expect(parsed.value, sample).toBe(row.rows[0]!.text);
    }
  });

  it('Should reject hostile and malformed values with a reason', () => {
    const hostile = [
      '',
      '   ',
      'AS',
      'AS-1',
      'AS4294967296',
      'AS99999999999',
      'AS007',
      'AS65536.1',
      '192.0.2.1/24',
      '256.1.1.1',
      '1.2.3',
      '01.2.3.4',
      '1.2.3.4/33',
      '1.2.3.4/-1',
      '1.2.3.4//24',
      '1.2.3.4/24/8',
      '2001:db8::/129',
      '2001:db8:::1',
      '1:2:3:4:5:6:7:8:9',
      'gggg::1',
      '2001:db8::1/32',
      ':::',
      '1::2::3',
      'localhost',
      '-bad.example',
      'a..b',
      'exa mple.jp',
      'x'.repeat(64) + '.jp',
      'user@example.jp',
      'http://example.jp/',
      "'; DROP TABLE organisations; --",
      '\u0000.jp',
      'a'.repeat(400),
    ];
    for (const value of hostile) {
      const parsed = parseNetworkValue(value);
      expect(parsed.ok, JSON.stringify(value)).toBe(false);
      if (!parsed.ok) expect(parsed.error.length).toBeLessThan(200);
    }
  });

  it('Should suggest the network address when host bits are set', () => {
    const parsed = parseNetworkValue('192.0.2.77/24');
    expect(parsed).toEqual({ ok: false, error: expect.stringContaining('192.0.2.0/24') });
  });
});

describe('parseIpAddress', () => {
  it('Should recognise bare IPv4 and IPv6 addresses only', () => {
    expect(parseIpAddress('192.0.2.1')).toEqual({ kind: 'ipv4', address: '192.0.2.1' });
    expect(parseIpAddress('2001:DB8::1')).toEqual({ kind: 'ipv6', address: '2001:db8::1' });
    expect(parseIpAddress('example.jp')).toBeNull();
    expect(parseIpAddress('192.0.2.0/24')).toBeNull();
  });
});
