import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCliDataDir, deadPid, runCli } from '../testing/run-cli.ts';
import { DataDirLockedError, acquireDataDirLock, dataDirLockHolder } from './data-dir-lock.ts';
import { migrateToLatest, openDatabase } from './database.ts';

// PGlite-specific by nature, so these run in the PostgreSQL pass too: the child never sees DATABASE_URL.
let dataDir: string;
let lockPath: string;
const HOLDER = 'renkei serve (lock test)';

beforeAll(async () => {
  dataDir = await createCliDataDir('renkei-lock-');
  lockPath = path.join(dataDir, 'renkei.lock');
  // A migrated embedded database (from the run's snapshot, when it has one), so the children start quickly.
  const database = await openDatabase({ kind: 'pglite', dataDir, holder: 'setup' });
  await migrateToLatest(database.db);
  await database.close();
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const writeLock = (holder: object): void => fs.writeFileSync(lockPath, JSON.stringify(holder));

describe('the data directory lock', () => {
  it("Should refuse a second opener in another process, naming the holder's PID and command", async () => {
    const database = await openDatabase({ kind: 'pglite', dataDir, holder: HOLDER });
    try {
      const lock = fs.readFileSync(lockPath, 'utf8');
      expect(JSON.parse(lock)).toMatchObject({ pid: process.pid, host: os.hostname(), command: HOLDER });
      const second = await runCli(['migrate'], { env: { RENKEI_DATA_DIR: dataDir } });
      expect(second.code).toBe(3);
      expect(second.stderr).toContain(`PID ${process.pid}`);
      expect(second.stderr).toContain(`"${HOLDER}"`);
      expect(second.stderr).toContain('Stop the server, then run `renkei migrate` again.');
      expect(second.stderr).not.toMatch(/\n\s+at /); // one clear message, no stack trace
      // The refused process changed nothing: the lock is still ours and the database still answers.
      expect(fs.readFileSync(lockPath, 'utf8')).toBe(lock);
      expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(database.db)).rows).toEqual([{ one: 1 }]);
    } finally {
      await database.close();
    }
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  it('Should let another process take over a stale lock whose holder died, and release it on exit', async () => {
    const dead = await deadPid();
    writeLock({ pid: dead, host: os.hostname(), command: 'renkei serve', since: '2026-01-01T00:00:00.000Z' });
    expect(dataDirLockHolder(dataDir)).toBeNull();
    const migrate = await runCli(['migrate'], { env: { RENKEI_DATA_DIR: dataDir } });
    expect(migrate.stderr).toBe('');
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain('The schema is up to date.');
    expect(fs.existsSync(lockPath)).toBe(false);
  });

  it('Should take over a stale lock in this process, and remove the file on release', async () => {
    writeLock({ pid: await deadPid(), host: os.hostname(), command: 'renkei worker', since: '2026-01-01T00:00:00.000Z' });
    const release = acquireDataDirLock(dataDir, 'renkei user add');
    expect(dataDirLockHolder(dataDir)).toMatchObject({ pid: process.pid, command: 'renkei user add' });
    expect(() => acquireDataDirLock(dataDir, 'renkei audit verify')).toThrow(DataDirLockedError);
    release();
    expect(fs.existsSync(lockPath)).toBe(false);
    release(); // twice is harmless
  });

  it('Should not remove a lock that is no longer its own when released', async () => {
    const release = acquireDataDirLock(dataDir, 'renkei migrate');
    const other = { pid: process.ppid, host: os.hostname(), command: 'someone else', since: new Date().toISOString() };
    writeLock(other);
    release();
    expect(JSON.parse(fs.readFileSync(lockPath, 'utf8'))).toEqual(other);
    fs.rmSync(lockPath);
  });

  it('Should treat a lock from another host as held, since its PID cannot be checked from here', async () => {
    writeLock({ pid: await deadPid(), host: 'other-host.example', command: 'renkei serve', since: '2026-01-01T00:00:00.000Z' });
    try {
      expect(() => acquireDataDirLock(dataDir, 'renkei migrate')).toThrow(/in use by "renkei serve" \(PID \d+ on other-host\.example/);
      expect(dataDirLockHolder(dataDir)).toMatchObject({ host: 'other-host.example' });
    } finally {
      fs.rmSync(lockPath);
    }
  });
});
