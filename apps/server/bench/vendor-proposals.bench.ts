/**
 * `npm run bench`: the vendor proposals of a case over a registry of 10,000 products of 2,000 vendors, on
 * PGlite in memory (and PostgreSQL with BENCH_PROPOSALS_ENGINES=postgresql,pglite): cold (the registry
 * changed, so it is compiled again) and warm (the compiled registry reused), beside a bare
 * `SELECT count(*) FROM vendor_products` in the same run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createServices } from '../src/app/services.ts';
import { loadConfig } from '../src/config.ts';
import { type Database, migrateToLatest } from '../src/db/database.ts';
import { systemContext } from '../src/policy/actor.ts';
import { onEachEngine, time, xorshift32 } from './bench-kit.ts';

const PRODUCTS = Number(process.env.BENCH_PROPOSALS_PRODUCTS ?? 10_000);
const VENDORS = Math.max(1, Math.floor(PRODUCTS / 5));
const RUNS = 9;
const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/renkei_dev';
const ENGINES = (process.env.BENCH_PROPOSALS_ENGINES ?? 'pglite').split(',');
const WORDS = ['router', 'camera', 'printer', 'gateway', 'switch', 'firewall', 'nas', 'cms', 'plugin', 'portal', 'scada', 'hmi'];

async function seed(database: Database): Promise<string> {
  const random = xorshift32(0x2545f491);
  const vendors = Array.from({ length: VENDORS }, (_, i) => `Vendor ${i} ${WORDS[i % WORDS.length]} 株式会社`);
  const ids = await sql<{ id: string }>`
    INSERT INTO organisations (name, kind) SELECT name, 'vendor' FROM unnest(${vendors}::text[]) AS t(name) RETURNING id`.execute(database.db);
  const org: string[] = [];
  const names: string[] = [];
  const cpes: string[] = [];
  const purls: string[] = [];
  const keywords: string[] = [];
  for (let i = 0; i < PRODUCTS; i++) {
    const v = i % VENDORS;
    const word = WORDS[Math.floor(random() * WORDS.length)]!;
    org.push(ids.rows[v]!.id);
    names.push(`Product ${i} ${word}`);
    cpes.push(`{"cpe:2.3:a:vendor_${v}:product_${i}:*:*:*:*:*:*:*:*","cpe:2.3:h:vendor_${v}:product_${i}_hw:-:*:*:*:*:*:*:*"}`);
    purls.push(`{"pkg:npm/vendor-${v}/product-${i}"}`);
    keywords.push(`{"${word}","${WORDS[(i + 3) % WORDS.length]}"}`);
  }
  await sql`
    INSERT INTO vendor_products (organisation_id, name, cpes, purls, keywords)
    SELECT o::uuid, n, c::text[], p::text[], k::text[]
    FROM unnest(${org}::text[], ${names}::text[], ${cpes}::text[], ${purls}::text[], ${keywords}::text[]) AS t(o, n, c, p, k)`.execute(database.db);
  const report = await sql<{ id: string }>`
    INSERT INTO vulnerability_reports (reference, channel, status, product_name, developer_name, vulnerability_type, description)
    VALUES ('VR-2026-00001', 'api', 'accepted', ${names[42]}, ${vendors[42 % VENDORS]}, 'CWE-79', 'Stored XSS in the admin page of the router')
    RETURNING id`.execute(database.db);
  const created = await sql<{ id: string }>`
    INSERT INTO vulnerability_cases (reference, report_id, title) VALUES ('VU-2026-00001', ${report.rows[0]!.id}::uuid, ${`XSS in ${names[42]}`})
    RETURNING id`.execute(database.db);
  return created.rows[0]!.id;
}

async function measure(database: Database, label: string): Promise<void> {
  await migrateToLatest(database.db);
  const caseId = await seed(database);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-bench-proposals-'));
  try {
    const services = createServices(database, loadConfig({ RENKEI_LOG_LEVEL: 'silent', RENKEI_DATA_DIR: dataDir }));
    const system = systemContext('bench');
    const count = await time(() => sql`SELECT count(*) FROM vendor_products`.execute(database.db), RUNS);
    const touchedId = (await database.db.selectFrom('vendor_products').select('id').limit(1).executeTakeFirstOrThrow()).id;
    let touched = 0;
    // Cold: a product changes before each call, so the registry is compiled again.
    const cold = await time(async () => {
      await sql`UPDATE vendor_products SET updated_at = now() + make_interval(secs => ${++touched}) WHERE id = ${touchedId}::uuid`.execute(database.db);
      const answer = await services.vulnerabilities.proposeCaseVendors(system, caseId);
      if (answer.cacheHit) throw new Error('expected a cold registry');
    }, RUNS);
    const warm = await time(async () => {
      const answer = await services.vulnerabilities.proposeCaseVendors(system, caseId);
      if (!answer.cacheHit) throw new Error('expected a warm registry');
    }, RUNS);
    const top = (await services.vulnerabilities.proposeCaseVendors(system, caseId)).proposals[0];
    console.log(
      `${label}: ${PRODUCTS} products of ${VENDORS} vendors — proposals cold ${cold.median.toFixed(1)} ms (p95 ${cold.p95.toFixed(1)}), ` +
        `warm ${warm.median.toFixed(1)} ms (p95 ${warm.p95.toFixed(1)}); SELECT count(*) ${count.median.toFixed(2)} ms; top: ${top?.vendorName} (${top?.score})`,
    );
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await onEachEngine(ENGINES, BASE_URL, `renkei_bench_proposals_${process.pid}`, measure);
