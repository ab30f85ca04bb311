/** Helpers the benchmarks share: a seeded generator, query timing, and the run on each database engine. */
import pg from 'pg';
import { type Database, openDatabase } from '../src/db/database.ts';

/**
 * A deterministic xorshift32 generator in [0, 1), so every run measures the same data.
 * @example const random = xorshift32(0x9e3779b9); const length = 20 + Math.floor(random() * 5);
 */
export function xorshift32(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/**
 * Median and 95th percentile in milliseconds of `runs` calls, after three unmeasured warm-up calls.
 * @example const { median, p95 } = await time(() => sql`SELECT 1`.execute(db), 15);
 */
export async function time(run: () => Promise<unknown>, runs: number): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < 3; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)]!, p95: samples[Math.ceil(samples.length * 0.95) - 1]! };
}

/**
 * Calls `measure` on each engine named in `engines` ('postgresql': a scratch database `name` made beside
 * `baseUrl` and dropped after, skipped with a line when unreachable; 'pglite': in memory), in that order.
 * @example await onEachEngine(['postgresql', 'pglite'], process.env.DATABASE_URL!, `renkei_bench_x_${process.pid}`, measure);
 */
export async function onEachEngine(
  engines: string[],
  baseUrl: string,
  name: string,
  measure: (database: Database, label: string) => Promise<void>,
): Promise<void> {
  for (const engine of engines) {
    if (engine === 'postgresql') {
      const admin = new pg.Client({ connectionString: baseUrl });
      try {
        await admin.connect();
      } catch (error) {
        console.log(`PostgreSQL at ${baseUrl} is not reachable (${(error as Error).message}); skipped`);
        continue;
      }
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(baseUrl);
      url.pathname = `/${name}`;
      const database = await openDatabase({ kind: 'postgresql', url: url.toString() });
      try {
        await measure(database, 'PostgreSQL');
      } finally {
        await database.close();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      }
    } else {
      const database = await openDatabase({ kind: 'pglite-memory' });
      try {
        await measure(database, 'PGlite (in memory)');
      } finally {
        await database.close();
      }
    }
  }
}
