/**
 * `npm run bench`: the bulk feed pipeline end to end into the database (CSV bytes → events → RSIT
 * classification → enrichment from the in-memory IP tables and the directory → fingerprint → batched
 * insert with ON CONFLICT DO NOTHING), beside the parse-only rate of the same input in the same run.
 * ~500,000 synthetic Shadowserver-style rows (5% repeated, so de-duplication does work), on PostgreSQL
 * (DATABASE_URL, else postgres://postgres@127.0.0.1:5432/renkei_dev; a scratch database is made and
 * dropped) and on PGlite in memory. IntelMQ's measured figure on this kind of machine: ~185 events/s.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { type Database, migrateToLatest, openDatabase } from '../src/db/database.ts';
import { loadConfig } from '../src/config.ts';
import { createServices } from '../src/app/services.ts';
import { systemContext } from '../src/policy/actor.ts';
import { CsvReader } from '../src/feeds/csv-reader.ts';
import { xorshift32 } from './bench-kit.ts';

const ROWS = Number(process.env.BENCH_FEED_ROWS ?? 500_000);
const PGLITE_ROWS = Number(process.env.BENCH_FEED_PGLITE_ROWS ?? ROWS);
const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/renkei_dev';
const INTELMQ_EVENTS_PER_SECOND = 185;
const ENGINES = (process.env.BENCH_FEED_ENGINES ?? 'postgresql,pglite').split(',');

const random = xorshift32(0x2545f491);

const TYPES = ['scan_ntp', 'scan_rdp', 'scan_ssl_poodle', 'event4_sinkhole_http', 'compromised_website', 'scan_smb'];
const PORTS: Record<string, number> = { scan_ntp: 123, scan_rdp: 3389, scan_ssl_poodle: 443, event4_sinkhole_http: 80, compromised_website: 80, scan_smb: 445 };

/** A Shadowserver-style report: header, quoted fields here and there, a type column, 5% repeated rows. */
function syntheticReport(rows: number): Buffer {
  const lines = ['"timestamp","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","type"'];
  const made: string[] = [];
  for (let i = 0; i < rows; i++) {
    if (i > 100 && random() < 0.05) {
      lines.push(made[Math.floor(random() * made.length)]!);
      continue;
    }
    const type = TYPES[i % TYPES.length]!;
    // Addresses in 10 /8s the synthetic IP data covers.
    const ip = `${[1, 27, 36, 43, 49, 58, 60, 101, 103, 110][i % 10]}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`;
    const second = Math.floor(random() * 86_400);
    const time = `2026-11-25 ${String(Math.floor(second / 3600)).padStart(2, '0')}:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}`;
    const host = i % 3 === 0 ? `host-${i}.example.jp` : '';
    const line = `"${time}","${ip}","udp",${PORTS[type]},"${host}","${type.includes('sinkhole') ? 'mirai' : 'vulnerable'}",${64500 + (i % 500)},"JP","TOKYO","CHIYODA",517311,${type}`;
    lines.push(line);
    if (made.length < 10_000) made.push(line);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`);
}

/** ip2asn-style data for the ten /8s: /16 ranges, each with an ASN and JP. */
function syntheticIpData(dir: string): string {
  const file = path.join(dir, 'bench-ip2asn.tsv');
  const lines: string[] = [];
  for (const a of [1, 27, 36, 43, 49, 58, 60, 101, 103, 110])
    for (let b = 0; b < 256; b++) lines.push(`${a}.${b}.0.0\t${a}.${b}.255.255\t${64500 + ((a * 256 + b) % 500)}\tJP\tBENCH-AS`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/**
 * 2,000 directory organisations with abuse addresses: 1,280 hold a whole /16 (half the addresses in the
 * data, as a national directory of ISPs would), 720 hold a /20 inside one of those (longest prefix wins).
 */
async function seedDirectory(database: Database): Promise<void> {
  const orgs = await sql<{ id: string }>`
    INSERT INTO organisations (name, kind, contact_email) SELECT 'Bench ISP ' || g, 'isp', 'noc' || g || '@isp.example' FROM generate_series(1, 2000) g RETURNING id`.execute(
    database.db,
  );
  const firsts = [1, 27, 36, 43, 49, 58, 60, 101, 103, 110];
  const values = orgs.rows.map((o, i) => {
    const value =
      i < 1280 ? `${firsts[i % 10]}.${Math.floor(i / 10) * 2}.0.0/16` : `${firsts[i % 10]}.${Math.floor((i - 1280) / 10) * 2}.${(i % 16) * 16}.0/20`;
    return { organisation_id: o.id, kind: 'ipv4', value, abuse_email: `abuse${i}@isp.example` };
  });
  for (let i = 0; i < values.length; i += 500)
    await database.db
      .insertInto('organisation_networks')
      .values(values.slice(i, i + 500))
      .execute();
}

function parseOnly(input: Buffer): { seconds: number; rows: number } {
  let rows = 0;
  const started = process.hrtime.bigint();
  const reader = new CsvReader({ record: () => void rows++, reject: () => {} });
  for (let i = 0; i < input.length; i += 1 << 20) reader.push(input.subarray(i, i + (1 << 20)));
  reader.end();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, rows: rows - 1 };
}

async function endToEnd(database: Database, dataDir: string, file: string, ipData: string, label: string) {
  await migrateToLatest(database.db);
  const config = loadConfig({ RENKEI_LOG_LEVEL: 'silent', RENKEI_DATA_DIR: dataDir, RENKEI_BLOB_LIMIT: String(1 << 30) });
  const services = createServices(database, config);
  await services.networkLookup.importIpData(systemContext('bench'), ipData);
  await seedDirectory(database);
  const started = process.hrtime.bigint();
  const summary = await services.feeds.ingestFile(systemContext('bench'), file, { format: 'shadowserver', tlp: 'amber' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const stored = await sql<{ n: number; r: number }>`SELECT count(*)::int AS n, count(recipient)::int AS r FROM feed_events`.execute(database.db);
  return { label, seconds, summary, stored: stored.rows[0]! };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-feed-bench-'));
const fmt = (n: number) => `${Math.round(n).toLocaleString('en')} /s`.padStart(13);
try {
  const ipData = syntheticIpData(dir);
  const report = syntheticReport(ROWS);
  const file = path.join(dir, '2026-11-25-scan_mixed-jp-geo.csv');
  fs.writeFileSync(file, report);
  console.log(`${ROWS.toLocaleString('en')} rows, ${(report.length / 1048576).toFixed(1)} MiB, ${os.cpus().length} cores, Node ${process.version}`);
  parseOnly(report); // warm up
  const parse = parseOnly(report);
  const parseRate = parse.rows / parse.seconds;

  const results: { engine: string; rate: number; summary: string }[] = [];
  // PostgreSQL: a scratch database beside the configured one.
  const name = `renkei_feed_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  let pgAvailable = ENGINES.includes('postgresql');
  if (pgAvailable)
    try {
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
    } catch (error) {
      pgAvailable = false;
      console.log(`PostgreSQL not reachable at ${BASE_URL}: ${(error as Error).message}`);
    }
  if (pgAvailable) {
    const url = new URL(BASE_URL);
    url.pathname = `/${name}`;
    const database = await openDatabase({ kind: 'postgresql', url: url.toString() });
    try {
      const r = await endToEnd(database, path.join(dir, 'pg'), file, ipData, 'PostgreSQL');
      results.push({
        engine: 'PostgreSQL',
        rate: r.summary.rowsRead / r.seconds,
        summary: `${r.summary.rowsRead} rows, ${r.summary.eventsStored} stored (${r.stored.r} with a recipient), ${r.summary.duplicates} duplicates, ${r.summary.rejected} rejected in ${r.seconds.toFixed(2)} s`,
      });
    } finally {
      await database.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  }
  if (ENGINES.includes('pglite')) {
    const pgliteFile = PGLITE_ROWS === ROWS ? file : path.join(dir, '2026-11-25-scan_mixed-small.csv');
    if (pgliteFile !== file) fs.writeFileSync(pgliteFile, syntheticReport(PGLITE_ROWS));
    const database = await openDatabase({ kind: 'pglite-memory' });
    try {
      const r = await endToEnd(database, path.join(dir, 'pglite'), pgliteFile, ipData, 'PGlite');
      results.push({
        engine: 'PGlite (in memory)',
        rate: r.summary.rowsRead / r.seconds,
        summary: `${r.summary.rowsRead} rows, ${r.summary.eventsStored} stored (${r.stored.r} with a recipient), ${r.summary.duplicates} duplicates, ${r.summary.rejected} rejected in ${r.seconds.toFixed(2)} s`,
      });
    } finally {
      await database.close();
    }
  }
  console.log(`parse only (CSV bytes → records)            ${fmt(parseRate)}  (same input, same run)`);
  for (const r of results) {
    console.log(
      `end to end into ${r.engine.padEnd(28)} ${fmt(r.rate)}  = ${(r.rate / parseRate).toFixed(3)} × parse-only, ${(r.rate / INTELMQ_EVENTS_PER_SECOND).toFixed(0)} × IntelMQ (185 /s)`,
    );
    console.log(`    ${r.summary}`);
  }
  const pgRate = results.find((r) => r.engine === 'PostgreSQL')?.rate;
  if (pgRate !== undefined) console.log(`goal ≥ 50,000 events/s end to end on PostgreSQL: ${pgRate >= 50_000 ? 'met' : 'NOT met'} (${fmt(pgRate).trim()})`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
