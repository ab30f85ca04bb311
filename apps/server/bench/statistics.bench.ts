/**
 * `npm run bench`: the statistics read model over 100,000 reports spread over two years, 25,000 incidents
 * (each linked to four reports) and 25,000 sent coordinations, on PostgreSQL (DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/renkei_dev; a scratch database is made and dropped) and on PGlite in
 * memory. Printed beside `SELECT count(*) FROM reports` on the same table in the same run.
 */
import { sql } from 'kysely';
import { type Database, migrateToLatest } from '../src/db/database.ts';
import { systemContext } from '../src/policy/actor.ts';
import { fiscalYearPeriod, quarterPeriod } from '../src/statistics/periods.ts';
import { createStatisticsService } from '../src/statistics/statistics.service.ts';
import { onEachEngine, time } from './bench-kit.ts';

const REPORTS = Number(process.env.BENCH_STATISTICS_REPORTS ?? 100_000);
const REPORTS_PER_INCIDENT = 4;
const BATCH = 10_000;
const RUNS = 15;
const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/renkei_dev';
const ENGINES = (process.env.BENCH_STATISTICS_ENGINES ?? 'postgresql,pglite').split(',');
const CATEGORIES = ['phishing', 'phishing', 'phishing', 'defacement', 'malware_site', 'scan', 'dos', 'ics', 'targeted_attack', 'other'];
const START = Date.UTC(2025, 3, 1); // two fiscal years from April 2025
const SPAN_MS = 730 * 86_400_000;

/** Reports in batches of 10k rows (one INSERT … SELECT FROM unnest each); every fourth report opens an incident of the next three, with one sent coordination. */
async function seed(database: Database): Promise<number> {
  const started = performance.now();
  for (let from = 0; from < REPORTS; from += BATCH) {
    const n = Math.min(BATCH, REPORTS - from);
    const refs: string[] = [];
    const categories: string[] = [];
    const received: string[] = [];
    const statuses: string[] = [];
    for (let i = 0; i < n; i++) {
      const k = from + i;
      refs.push(`IR-2026-${String(k + 1).padStart(6, '0')}`);
      categories.push(CATEGORIES[k % CATEGORIES.length]!);
      received.push(new Date(START + Math.floor((k / REPORTS) * SPAN_MS)).toISOString());
      statuses.push(k % 50 === 0 ? 'discarded' : 'linked');
    }
    await sql`
      INSERT INTO reports (reference, channel, status, category, title, description, received_at)
      SELECT ref, 'api', status, category, 'Seeded report', '', received::timestamptz
      FROM unnest(${refs}::text[], ${statuses}::text[], ${categories}::text[], ${received}::text[]) AS t(ref, status, category, received)
    `.execute(database.db);
  }
  // One incident per group of four consecutive reports (by reference), created an hour after its first report.
  await sql`
    WITH numbered AS (
      SELECT id, received_at, category, (row_number() OVER (ORDER BY reference) - 1) / ${REPORTS_PER_INCIDENT} AS grp FROM reports
    ), groups AS (
      SELECT grp, min(received_at) AS first_at, min(category) AS category FROM numbered GROUP BY grp
    ), incidents_made AS (
      INSERT INTO incidents (reference, title, category, created_at, first_reported_at, site_down_at, brand_sector, brand_domestic)
      SELECT 'INC-2026-' || lpad((grp + 1)::text, 6, '0'), 'Seeded incident', category, first_at + interval '1 hour', first_at,
             CASE WHEN grp % 5 = 0 THEN NULL ELSE first_at + (grp % 9) * interval '20 hours' END,
             (ARRAY['Finance', 'E-commerce', 'Telecom', 'Logistics'])[1 + grp % 4], grp % 3 <> 0
      FROM groups
      RETURNING id, reference, created_at
    )
    INSERT INTO coordinations (incident_id, thread_key, contact_email, role, state, created_at, sent_at)
    SELECT id, reference || '-C1', 'abuse@isp.example', 'isp', 'sent', created_at, created_at + interval '2 hours' FROM incidents_made
  `.execute(database.db);
  await sql`
    INSERT INTO incident_reports (incident_id, report_id, linked_by_label)
    SELECT i.id, n.id, 'bench'
    FROM (SELECT id, (row_number() OVER (ORDER BY reference) - 1) / ${REPORTS_PER_INCIDENT} AS grp FROM reports) n
    JOIN incidents i ON i.reference = 'INC-2026-' || lpad((n.grp + 1)::text, 6, '0')
  `.execute(database.db);
  for (const table of ['reports', 'incidents', 'incident_reports', 'coordinations']) await sql`ANALYZE ${sql.table(table)}`.execute(database.db);
  return performance.now() - started;
}

async function measure(database: Database, label: string): Promise<void> {
  await migrateToLatest(database.db);
  const seedMs = await seed(database);
  const statistics = createStatisticsService({ db: database.db }, { timeZone: 'Asia/Tokyo', fiscalYearStartMonth: 4 });
  const ctx = systemContext('bench');
  const total = await statistics.monthly(ctx, { from: '2025-04', to: '2027-03' });
  const cases: [string, () => Promise<unknown>][] = [
    ['baseline SELECT count(*) FROM reports', () => sql`SELECT count(*) FROM reports`.execute(database.db)],
    ['monthly, 12 months (FY2025)', () => statistics.monthly(ctx, { from: '2025-04', to: '2026-03' })],
    ['monthly, 24 months (every row)', () => statistics.monthly(ctx, { from: '2025-04', to: '2027-03' })],
    ['quarter beside the previous (FY2026-Q1)', () => statistics.compare(ctx, quarterPeriod(2026, 1, 4))],
    ['fiscal year beside the previous (FY2026)', () => statistics.compare(ctx, fiscalYearPeriod(2026, 4))],
    ['phishing breakdown, 12 months', () => statistics.phishing(ctx, { from: '2025-04', to: '2026-03' })],
    ['public quarter (TLP:RED filtered)', () => statistics.publicCompare(quarterPeriod(2026, 1, 4))],
  ];
  console.log(
    `\n${label}: ${REPORTS.toLocaleString('en')} reports, ${Math.ceil(REPORTS / REPORTS_PER_INCIDENT).toLocaleString('en')} incidents and coordinations seeded in ${(seedMs / 1000).toFixed(1)} s; counted over 24 months: ${JSON.stringify(total.total)}`,
  );
  for (const [name, run] of cases) {
    const { median, p95 } = await time(run, RUNS);
    console.log(`  ${name.padEnd(44)} median ${median.toFixed(1).padStart(7)} ms   p95 ${p95.toFixed(1).padStart(7)} ms`);
  }
}

await onEachEngine(ENGINES, BASE_URL, `renkei_bench_statistics_${process.pid}`, measure);
