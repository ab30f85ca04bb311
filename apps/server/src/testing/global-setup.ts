import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateToLatest, openDatabase } from '../db/database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** PGlite runs: a migrated data-directory snapshot every test file starts from. */
    pgliteSnapshot: string | null;
    /** PostgreSQL runs: a migrated template database every test file copies. */
    postgresTemplate: string | null;
  }
}

/**
 * Migrates one database per run, which every test file then copies: a fresh PGlite costs seconds,
 * a copy of a snapshot far less; on PostgreSQL `CREATE DATABASE ... TEMPLATE` is near instant.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const template = `${new URL(url).pathname.slice(1) || 'renkei'}_tpl_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${template}"`);
    await admin.query(`CREATE DATABASE "${template}"`);
    const templateUrl = new URL(url);
    templateUrl.pathname = `/${template}`;
    const database = await openDatabase({ kind: 'postgresql', url: templateUrl.toString() });
    await migrateToLatest(database.db);
    await database.close();
    project.provide('postgresTemplate', template);
    project.provide('pgliteSnapshot', null);
    return async () => {
      const leftovers = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${template}%`]);
      for (const row of leftovers.rows) await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
      await admin.end();
    };
  }
  const database = await openDatabase({ kind: 'pglite-memory' });
  await migrateToLatest(database.db);
  const snapshotPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-test-')), 'snapshot.tar.gz');
  const dump = await database.pglite!.dumpDataDir('gzip');
  fs.writeFileSync(snapshotPath, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  project.provide('pgliteSnapshot', snapshotPath);
  project.provide('postgresTemplate', null);
  return async () => {
    fs.rmSync(path.dirname(snapshotPath), { recursive: true, force: true });
  };
}
