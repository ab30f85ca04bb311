/**
 * `npm run bench`: authenticated API reads per second (GET /api/v1/me with a Bearer token) on PGlite
 * and on PostgreSQL, beside a bare Fastify "hello" route measured in the same run, as a ratio.
 * The load comes from autocannon in a separate process so client and server do not share a core unfairly.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import pg from 'pg';
import { createAccountsService } from '../src/accounts/accounts.service.ts';
import { loadConfig } from '../src/config.ts';
import { type Database, migrateToLatest, openDatabase } from '../src/db/database.ts';
import { buildApp } from '../src/app/http-app.ts';
import { systemContext } from '../src/policy/actor.ts';
import { createServices } from '../src/app/services.ts';

const run = promisify(execFile);
const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 10;
const autocannonBin = path.resolve(import.meta.dirname, '../../../node_modules/autocannon/autocannon.js');

interface Result {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(name: string, url: string, headers: Record<string, string> = {}): Promise<Result> {
  const args = [autocannonBin, '-c', String(CONNECTIONS), '-d', String(DURATION_SECONDS), '-j'];
  for (const [key, value] of Object.entries(headers)) args.push('-H', `${key}=${value}`);
  args.push(url);
  process.stderr.write(`  measuring ${name} for ${DURATION_SECONDS} s…\n`);
  const { stdout } = await run(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 });
  const report = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number };
  return { name, requestsPerSecond: report.requests.average, p50: report.latency.p50, p99: report.latency.p99, errors: report.errors + report.non2xx };
}

async function bareFastify(): Promise<Result> {
  const app = Fastify({ logger: false });
  app.get('/hello', async () => ({ hello: 'world' }));
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    return await load('bare Fastify hello (baseline)', `${address}/hello`);
  } finally {
    await app.close();
  }
}

async function renkei(name: string, database: Database): Promise<Result> {
  await migrateToLatest(database.db);
  const config = loadConfig({ RENKEI_LOG_LEVEL: 'silent', RENKEI_DATA_DIR: os.tmpdir() });
  const services = createServices(database, config);
  await database.db
    .insertInto('organisations')
    .values({ name: 'Bench CSIRT', name_ja: null, kind: 'csirt', is_self: true, contact_email: null, contact_phone: null, website: null })
    .execute();
  const accounts = createAccountsService(database.db, { sessionTtlHours: 1, issuer: 'bench' });
  const user = await accounts.createUser(systemContext('bench'), {
    email: 'bench@bench.example',
    displayName: 'Bench',
    password: 'bench-password-long',
    roles: ['analyst'],
  });
  const { token } = await accounts.createToken(systemContext('bench'), { name: 'bench', roles: ['analyst'], expiresInDays: 1, userId: user.id });
  const app = await buildApp(config, services);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    return await load(name, `${address}/api/v1/me`, { authorization: `Bearer ${token}` });
  } finally {
    await app.close();
  }
}

async function postgresUrl(): Promise<{ url: string; drop: () => Promise<void> } | null> {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: base, connectionTimeoutMillis: 2000 });
  try {
    await admin.connect();
  } catch {
    return null;
  }
  const name = `renkei_bench_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

const results: Result[] = [];
results.push(await bareFastify());

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-bench-'));
const pglite = await openDatabase({ kind: 'pglite', dataDir, holder: 'renkei bench' });
try {
  results.push(await renkei('Renkei GET /api/v1/me, PGlite', pglite));
} finally {
  await pglite.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

const postgres = await postgresUrl();
if (postgres) {
  const database = await openDatabase({ kind: 'postgresql', url: postgres.url });
  try {
    results.push(await renkei('Renkei GET /api/v1/me, PostgreSQL', database));
  } finally {
    await database.close();
    await postgres.drop();
  }
} else {
  process.stderr.write('  PostgreSQL not reachable at DATABASE_URL or 127.0.0.1:5432: skipped that row.\n');
}

const baseline = results[0]!.requestsPerSecond;
console.log(`\nAuthenticated API reads, ${CONNECTIONS} connections, ${DURATION_SECONDS} s each, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'})`);
console.log('| what | req/s | p50 ms | p99 ms | errors | ratio to baseline |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.name} | ${Math.round(r.requestsPerSecond)} | ${r.p50} | ${r.p99} | ${r.errors} | ${(r.requestsPerSecond / baseline).toFixed(3)} |`);
}
