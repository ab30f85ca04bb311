/**
 * `npm run bench`: the vulnerability case page and the vendor's change feed (issue 11, "Speed").
 * - One case with 150 vendors, 20 vulnerabilities, 3,000 status rows (150 x 20) and 500 timeline events
 *   (a stand-in for the 500 messages until the messages table exists): `GET /api/v1/cases/:id` through the
 *   real app (app.inject: authentication, policy, presenter, JSON) as the coordinator and as one vendor,
 *   beside a bare `SELECT count(*)` of the same rows. Goal: < 300 ms.
 * - 10,000 further cases with three vendors each, the measured vendor on 200 of them:
 *   `GET /api/v1/cases?since=…` as that vendor, beside a bare `SELECT count(*) FROM vulnerability_cases`.
 *   Goal: < 100 ms.
 * On PGlite in memory; also on PostgreSQL when DATABASE_URL is set (a scratch database is made and
 * dropped). BENCH_CASES_ENGINES=postgresql,pglite chooses explicitly.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { buildApp } from '../src/app/http-app.ts';
import { createServices } from '../src/app/services.ts';
import { loadConfig } from '../src/config.ts';
import { type Database, migrateToLatest } from '../src/db/database.ts';
import { systemContext } from '../src/policy/actor.ts';
import { onEachEngine, time } from './bench-kit.ts';

const VENDORS = 150;
const VULNERABILITIES = 20;
const EVENTS = 500;
const FEED_CASES = Number(process.env.BENCH_CASES_FEED ?? 10_000);
const VENDOR_SHARE = 50; // the measured vendor is on every 50th case: 200 of 10,000
const RUNS = 15;
const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ENGINES = (process.env.BENCH_CASES_ENGINES ?? (process.env.DATABASE_URL ? 'postgresql,pglite' : 'pglite')).split(',');
const NOW = Date.UTC(2026, 11, 4, 12);

/** The big case and the feed's cases, each kind of row in one INSERT … SELECT generate_series. */
async function seed(database: Database): Promise<{ caseId: string; vendorId: string }> {
  const db = database.db;
  await sql`
    INSERT INTO organisations (name, kind, contact_email)
    SELECT 'Vendor ' || n, 'vendor', 'psirt@vendor' || n || '.example' FROM generate_series(1, ${VENDORS}) n`.execute(db);
  const big = await sql<{ id: string }>`
    INSERT INTO vulnerability_cases (reference, title, status, multi_party, created_at, modified_at)
    VALUES ('VU-2026-00001', 'Case with 150 vendors', 'coordinating', true, ${new Date(NOW - 86_400_000)}, ${new Date(NOW)})
    RETURNING id`.execute(db);
  const caseId = big.rows[0]!.id;
  await sql`
    INSERT INTO case_vulnerabilities (case_id, title, title_ja, description, cwe_id, cvss31_vector, cvss31_score)
    SELECT ${caseId}::uuid, 'Vulnerability ' || n, '脆弱性 ' || n, repeat('Description. ', 40), 'CWE-79',
           'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1
    FROM generate_series(1, ${VULNERABILITIES}) n`.execute(db);
  await sql`
    INSERT INTO case_participants (case_id, role, organisation_id, contact_started_at, shared_at, tracking_id)
    SELECT ${caseId}::uuid, 'vendor', id, ${new Date(NOW - 86_400_000)}, ${new Date(NOW - 86_400_000)}, 'TRK-' || name
    FROM organisations WHERE kind = 'vendor'`.execute(db);
  await sql`
    INSERT INTO vendor_statuses (case_id, vulnerability_id, organisation_id, status, fixed_versions, statement, statement_ja, set_at)
    SELECT ${caseId}::uuid, v.id, p.organisation_id, (ARRAY['vulnerable', 'not_vulnerable', 'notified_no_answer', 'unknown'])[1 + (row_number() OVER ()) % 4],
           '2.4.1', 'Fixed in 2.4.1; see the advisory.', '2.4.1 で修正しました。', ${new Date(NOW)}
    FROM case_vulnerabilities v JOIN case_participants p ON p.case_id = v.case_id WHERE v.case_id = ${caseId}::uuid`.execute(db);
  await sql`
    INSERT INTO case_events (case_id, kind, detail, organisation_id, at)
    SELECT ${caseId}::uuid, 'message', jsonb_build_object('text', repeat('Message text. ', 20)), NULL, ${new Date(NOW - 86_400_000)}::timestamptz + n * interval '1 minute'
    FROM generate_series(1, ${EVENTS}) n`.execute(db);
  await sql`
    INSERT INTO case_embargoes (case_id, release_at, state, reason, proposed_at)
    SELECT ${caseId}::uuid, date_trunc('minute', ${new Date(NOW + 40 * 86_400_000)}::timestamptz) + n * interval '1 day',
           CASE WHEN n = 3 THEN 'proposed' ELSE 'superseded' END, 'Fix ships that week', ${new Date(NOW)}::timestamptz + n * interval '1 second'
    FROM generate_series(1, 3) n`.execute(db);
  await sql`
    INSERT INTO case_embargo_decisions (embargo_id, participant_id, decision)
    SELECT e.id, p.id, 'accepted' FROM case_embargoes e JOIN case_participants p ON p.case_id = e.case_id
    WHERE e.case_id = ${caseId}::uuid AND e.state = 'proposed'`.execute(db);
  const vendor = await sql<{ id: string }>`SELECT id FROM organisations WHERE name = 'Vendor 1'`.execute(db);
  const vendorId = vendor.rows[0]!.id;

  // The feed: cases modified over the past year, three vendors each; "Vendor 1" on every 50th.
  await sql`
    INSERT INTO vulnerability_cases (reference, title, status, created_at, modified_at)
    SELECT 'VU-2025-' || lpad(n::text, 5, '0'), 'Feed case ' || n, 'coordinating',
           ${new Date(NOW - 400 * 86_400_000)}, ${new Date(NOW)}::timestamptz - (n * ${Math.floor((365 * 86_400) / FEED_CASES)}) * interval '1 second'
    FROM generate_series(1, ${FEED_CASES}) n`.execute(db);
  await sql`
    INSERT INTO case_participants (case_id, role, organisation_id, shared_at)
    SELECT c.id, 'vendor', o.id, c.created_at
    FROM (SELECT id, created_at, substring(reference from 9)::int AS n FROM vulnerability_cases WHERE reference LIKE 'VU-2025-%') c
    JOIN (SELECT id, substring(name from 8)::int AS k FROM organisations WHERE kind = 'vendor') o
      ON (c.n % ${VENDOR_SHARE} = 0 AND o.k = 1) OR (o.k > 1 AND o.k IN (2 + c.n % 149, 2 + (c.n * 7) % 149, 2 + (c.n * 13) % 149))`.execute(db);
  for (const table of ['organisations', 'vulnerability_cases', 'case_vulnerabilities', 'case_participants', 'vendor_statuses', 'case_events', 'case_embargoes'])
    await sql`ANALYZE ${sql.table(table)}`.execute(db);
  return { caseId, vendorId };
}

function line(name: string, result: { median: number; p95: number }, baseline: number | null, goal: number | null): void {
  const ratio = baseline === null ? '' : `   ${(result.median / baseline).toFixed(1).padStart(6)}× baseline`;
  const verdict = goal === null ? '' : result.median < goal ? `  (goal < ${goal} ms: met)` : `  (goal < ${goal} ms: MISSED)`;
  console.log(`  ${name.padEnd(62)} median ${result.median.toFixed(1).padStart(7)} ms   p95 ${result.p95.toFixed(1).padStart(7)} ms${ratio}${verdict}`);
}

async function measure(database: Database, label: string): Promise<void> {
  await migrateToLatest(database.db);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-bench-cases-'));
  const config = loadConfig({ RENKEI_LOG_LEVEL: 'silent', RENKEI_DATA_DIR: dataDir });
  const services = createServices(database, config);
  await database.db
    .insertInto('organisations')
    .values({ name: 'Bench CSIRT', name_ja: null, kind: 'csirt', is_self: true, contact_email: null, contact_phone: null, website: null })
    .execute();
  const started = performance.now();
  const { caseId, vendorId } = await seed(database);
  const seedMs = performance.now() - started;
  const system = systemContext('bench');
  const token = async (role: 'coordinator' | 'vendor_user', organisationId?: string) => {
    const user = await services.accounts.createUser(system, {
      email: `${role}@bench.example`,
      displayName: role,
      password: 'bench-password-long',
      roles: [role],
      organisationId,
    });
    return (await services.accounts.createToken(system, { name: 'bench', roles: [role], expiresInDays: 1, userId: user.id })).token;
  };
  const coordinator = await token('coordinator');
  const vendor = await token('vendor_user', vendorId);
  const app = await buildApp(config, services);
  await app.ready();
  const get = async (bearer: string, url: string, expectItems?: (body: { items?: unknown[]; statuses?: unknown[] }) => boolean) => {
    const response = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${bearer}` } });
    if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body.slice(0, 200)}`);
    if (expectItems && !expectItems(response.json())) throw new Error(`${url}: unexpected answer ${response.body.slice(0, 200)}`);
    return response;
  };
  const since = new Date(NOW - 30 * 86_400_000).toISOString();
  const feedUrl = `/api/v1/cases?since=${encodeURIComponent(since)}&limit=100`;
  const feedSize = (await get(vendor, feedUrl)).json<{ total: number }>().total;
  const fullSize = (await get(vendor, '/api/v1/cases?limit=100')).json<{ total: number }>().total;
  const caseBytes = (await get(coordinator, `/api/v1/cases/${caseId}`)).body.length;

  console.log(
    `\n${label}: seeded in ${(seedMs / 1000).toFixed(1)} s; one case of ${VENDORS} vendors, ${VULNERABILITIES} vulnerabilities, ${VENDORS * VULNERABILITIES} status rows, ` +
      `${EVENTS} case_events standing in for messages (no messages table yet; the case page does not read them), ` +
      `${FEED_CASES.toLocaleString('en')} feed cases (the vendor on ${fullSize}, ${feedSize} of them changed in the last 30 days)`,
  );
  const pageBaseline = await time(
    () =>
      sql`SELECT (SELECT count(*) FROM case_vulnerabilities WHERE case_id = ${caseId}::uuid) + (SELECT count(*) FROM case_participants WHERE case_id = ${caseId}::uuid)
        + (SELECT count(*) FROM vendor_statuses WHERE case_id = ${caseId}::uuid) + (SELECT count(*) FROM case_events WHERE case_id = ${caseId}::uuid)
        + (SELECT count(*) FROM case_embargoes WHERE case_id = ${caseId}::uuid)`.execute(database.db),
    RUNS,
  );
  line('baseline: bare SELECT count(*) of the case’s rows', pageBaseline, null, null);
  line(
    `GET /api/v1/cases/:id as the coordinator (${Math.round(caseBytes / 1024)} KiB)`,
    await time(() => get(coordinator, `/api/v1/cases/${caseId}`, (b) => b.statuses?.length === VENDORS * VULNERABILITIES), RUNS),
    pageBaseline.median,
    300,
  );
  line(
    'GET /api/v1/cases/:id as one vendor',
    await time(() => get(vendor, `/api/v1/cases/${caseId}`, (b) => b.statuses?.length === VULNERABILITIES), RUNS),
    pageBaseline.median,
    300,
  );
  const feedBaseline = await time(() => sql`SELECT count(*) FROM vulnerability_cases`.execute(database.db), RUNS);
  line('baseline: bare SELECT count(*) FROM vulnerability_cases', feedBaseline, null, null);
  line(`GET /api/v1/cases?since=<30 days ago> as the vendor (${feedSize} cases)`, await time(() => get(vendor, feedUrl), RUNS), feedBaseline.median, 100);
  line(`GET /api/v1/cases as the vendor, first 100 of ${fullSize}`, await time(() => get(vendor, '/api/v1/cases?limit=100'), RUNS), feedBaseline.median, 100);
  await app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

await onEachEngine(ENGINES, BASE_URL, `renkei_bench_cases_${process.pid}`, measure);
