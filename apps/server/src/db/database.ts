import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, Migrator, PostgresDialect, type MigrationResultSet } from 'kysely';
import pg from 'pg';
import { acquireDataDirLock } from './data-dir-lock.ts';
import { migrations } from './migrations/index.ts';
import type { Schema } from './schema/index.ts';

export type Engine = 'pglite' | 'postgresql';

/** An open database: Kysely for queries, the pg pool underneath (shared with the job queue). */
export interface Database {
  db: Kysely<Schema>;
  pool: pg.Pool;
  engine: Engine;
  /** The embedded engine itself (snapshots, tests); null on PostgreSQL. */
  pglite: PGlite | null;
  close(): Promise<void>;
}

export type DatabaseTarget =
  /** The embedded default: PGlite in `<dataDir>/pgdata`, locked to this process. */
  | { kind: 'pglite'; dataDir: string; holder: string }
  /** PGlite in memory, optionally from a snapshot (tests). */
  | { kind: 'pglite-memory'; snapshot?: Blob }
  | { kind: 'postgresql'; url: string };

// int8 (counts, sequence numbers) as JS numbers, and date (a calendar day, not an instant) as its
// 'YYYY-MM-DD' text rather than a Date at local midnight: both engines then give the same row types.
const INT8 = 20;
const DATE = 1082;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format === 'binary') return pg.types.getTypeParser(oid, format);
    if (oid === INT8) return (value: string) => Number(value);
    if (oid === DATE) return (value: string) => value;
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

/**
 * Opens the database a target names. For the embedded engine, takes the data directory's lock first.
 * @example const database = await openDatabase({ kind: 'postgresql', url: 'postgres://127.0.0.1/test' });
 */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === 'postgresql') {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: 10,
      types,
      connectionTimeoutMillis: 5000,
      // A path that dies silently must not hang requests forever: probe the socket, and give up on a
      // query after two minutes (bulk work sizes its batches well inside that).
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      query_timeout: 120_000,
    });
    // A client losing its server, idle in the pool or checked out between queries, must not crash
    // the process; the failed query rejects, and the pool reconnects on next use.
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    return wrap(pool, 'postgresql', null, async () => {});
  }
  let release = (): void => {};
  let pglite: PGlite;
  if (target.kind === 'pglite') {
    release = acquireDataDirLock(target.dataDir, target.holder);
    try {
      pglite = await PGlite.create(path.join(target.dataDir, 'pgdata'));
    } catch (error) {
      release();
      throw error;
    }
  } else {
    pglite = await PGlite.create(target.snapshot ? { loadDataDir: target.snapshot } : {});
  }
  // PGlite is one backend: the pool has one connection, so a transaction never interleaves with others.
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1, types, idleTimeoutMillis: 0 });
  pool.on('error', () => {});
  return wrap(pool, 'pglite', pglite, async () => {
    await pglite.close();
    release();
  });
}

function wrap(pool: pg.Pool, engine: Engine, pglite: PGlite | null, closeEngine: () => Promise<void>): Database {
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  let closed: Promise<void> | null = null;
  return {
    db,
    pool,
    engine,
    pglite,
    close: () => (closed ??= db.destroy().then(closeEngine)),
  };
}

/** Brings the schema up to date. Safe to run on every start and from several processes at once. */
export async function migrateToLatest(db: Kysely<Schema>): Promise<MigrationResultSet> {
  // Several branches of work add migrations at once; each is independent, so apply any not yet run.
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error instanceof Error ? result.error : new Error(`migration failed: ${JSON.stringify(result.error)}`);
  return result;
}

/** The target the configuration names: PostgreSQL when DATABASE_URL is set, else the embedded PGlite. */
export function databaseTarget(config: { databaseUrl: string | null; dataDir: string }, holder: string): DatabaseTarget {
  return config.databaseUrl ? { kind: 'postgresql', url: config.databaseUrl } : { kind: 'pglite', dataDir: config.dataDir, holder };
}
