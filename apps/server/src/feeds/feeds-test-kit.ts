import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from '../db/database.ts';

/**
 * Test kit for feeds: directory organisations holding networks with abuse addresses, ip2asn data, and
 * Shadowserver-style CSV built from rows. Test-only.
 */

export interface TestRecipient {
  organisationId: string;
  abuse: string;
  prefix: string;
  /** The first three octets of the /24. */
  net: string;
}

/** An organisation holding `prefix` (a /24) with its abuse address, language, format and TLP ceiling. */
export async function addRecipient(
  database: Database,
  input: { name: string; net: string; abuse: string; languages?: string[]; format?: 'csv' | 'xarf'; ceiling?: string },
): Promise<TestRecipient> {
  const org = await database.db
    .insertInto('organisations')
    .values({
      name: input.name,
      name_ja: `${input.name}（日本）`,
      kind: 'isp',
      contact_email: `noc@${input.name.toLowerCase().replace(/[^a-z0-9]/g, '')}.example`,
      contact_phone: null,
      website: null,
      languages: input.languages ?? ['en'],
      preferred_format: input.format ?? 'csv',
      tlp_ceiling: input.ceiling ?? 'amber',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const prefix = `${input.net}.0/24`;
  await database.db
    .insertInto('organisation_networks')
    .values({ organisation_id: org.id, kind: 'ipv4', value: prefix, abuse_email: input.abuse.toLowerCase() })
    .execute();
  return { organisationId: org.id, abuse: input.abuse.toLowerCase(), prefix, net: input.net };
}

/** A temporary ip2asn TSV file. */
export function ip2asnFile(lines: string[]): { file: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-feeds-ipdata-'));
  const file = path.join(dir, 'feeds-ip2asn.tsv');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

const csvField = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** Shadowserver-style CSV: header then rows, CRLF. */
export function shadowserverCsv(
  rows: { timestamp?: string; ip: string; port?: number | string; hostname?: string; tag?: string; asn?: string; geo?: string; extra?: string }[],
): Buffer {
  const lines = ['"timestamp","ip","protocol","port","hostname","tag","asn","geo","naics"'];
  for (const r of rows)
    lines.push(
      [r.timestamp ?? '2026-11-25 10:00:00', r.ip, 'udp', String(r.port ?? 123), r.hostname ?? '', r.tag ?? 'ntp', r.asn ?? '', r.geo ?? '', r.extra ?? '']
        .map(csvField)
        .join(','),
    );
  return Buffer.from(`${lines.join('\r\n')}\r\n`);
}
