/**
 * `npm run bench`: the triage list (`GET /api/v1/reports`, through the service: one page plus the total)
 * over 100,000 reports with 200,000 observables, on PostgreSQL (DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/renkei_dev; a scratch database is made and dropped) and on PGlite in
 * memory. Printed beside `SELECT count(*) FROM reports` on the same table in the same run. Goal: < 300 ms.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { sql } from 'kysely';
import { type Database, migrateToLatest } from '../src/db/database.ts';
import { loadConfig } from '../src/config.ts';
import { createServices } from '../src/app/services.ts';
import { systemContext } from '../src/policy/actor.ts';
import { onEachEngine, time } from './bench-kit.ts';

const REPORTS = Number(process.env.BENCH_TRIAGE_REPORTS ?? 100_000);
const BATCH = 10_000;
const RUNS = 15;
const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/renkei_dev';
const ENGINES = (process.env.BENCH_TRIAGE_ENGINES ?? 'postgresql,pglite').split(',');
const STATUSES = ['new', 'new', 'new', 'triaged', 'linked', 'closed'] as const;

/** 100k reports in batches of 10k rows, each one INSERT … SELECT FROM unnest(...); two observables each. */
async function seed(database: Database): Promise<number> {
  const started = performance.now();
  const year = 2026;
  for (let from = 0; from < REPORTS; from += BATCH) {
    const n = Math.min(BATCH, REPORTS - from);
    const refs: string[] = [];
    const statuses: string[] = [];
    const priorities: number[] = [];
    const received: string[] = [];
    const titles: string[] = [];
    for (let i = 0; i < n; i++) {
      const k = from + i;
      refs.push(`IR-${year}-${String(k + 1).padStart(6, '0')}`);
      statuses.push(STATUSES[k % STATUSES.length]!);
      priorities.push((k % 4) + 1);
      received.push(new Date(Date.UTC(2026, 0, 1) + k * 60_000).toISOString());
      titles.push(`Phishing site ${k}`);
    }
    await sql`
      WITH inserted AS (
        INSERT INTO reports (reference, channel, status, priority, category, title, description, received_at)
        SELECT ref, 'api', status, priority, 'phishing', title, 'seeded', received::timestamptz
        FROM unnest(${refs}::text[], ${statuses}::text[], ${priorities}::int[], ${titles}::text[], ${received}::text[]) AS t(ref, status, priority, title, received)
        RETURNING id, reference
      )
      INSERT INTO observables (report_id, kind, value, display, original)
      SELECT id, o.kind, o.kind || '-' || reference, reference, reference FROM inserted CROSS JOIN (VALUES ('domain'), ('url')) AS o(kind)
    `.execute(database.db);
  }
  await sql`ANALYZE reports`.execute(database.db);
  await sql`ANALYZE observables`.execute(database.db);
  return performance.now() - started;
}

async function measure(database: Database, label: string): Promise<void> {
  await migrateToLatest(database.db);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-bench-triage-'));
  const services = createServices(database, loadConfig({ RENKEI_LOG_LEVEL: 'silent', RENKEI_DATA_DIR: dataDir }));
  const seedMs = await seed(database);
  const ctx = systemContext('bench');
  const cases: [string, () => Promise<unknown>][] = [
    ['baseline SELECT count(*) FROM reports', () => sql`SELECT count(*) FROM reports`.execute(database.db)],
    ['triage queue: status=new, first page of 50', () => services.incidents.listReports(ctx, { status: 'new', offset: 0, limit: 50 })],
    ['triage queue: status=new, page at offset 10,000', () => services.incidents.listReports(ctx, { status: 'new', offset: 10_000, limit: 50 })],
    ['all reports, first page of 200', () => services.incidents.listReports(ctx, { offset: 0, limit: 200 })],
  ];
  console.log(
    `\n${label}: ${REPORTS.toLocaleString('en')} reports + ${(REPORTS * 2).toLocaleString('en')} observables seeded in ${(seedMs / 1000).toFixed(1)} s`,
  );
  for (const [name, run] of cases) {
    const { median, p95 } = await time(run, RUNS);
    const verdict = name.startsWith('baseline') ? '' : median < 300 ? '  (goal < 300 ms: met)' : '  (goal < 300 ms: MISSED)';
    console.log(`  ${name.padEnd(48)} median ${median.toFixed(1).padStart(7)} ms   p95 ${p95.toFixed(1).padStart(7)} ms${verdict}`);
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}

await onEachEngine(ENGINES, BASE_URL, `renkei_bench_triage_${process.pid}`, measure);
