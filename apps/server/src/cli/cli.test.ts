import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { recordAudit } from '../audit/index.ts';
import { loadConfig } from '../config.ts';
import { acquireDataDirLock } from '../db/data-dir-lock.ts';
import { type Database, databaseTarget, migrateToLatest, openDatabase } from '../db/database.ts';
import { buildApp } from '../app/http-app.ts';
import { systemContext } from '../policy/actor.ts';
import { createServices } from '../app/services.ts';
import { createCliDataDir, runCli } from '../testing/run-cli.ts';

// The real `renkei` command in child processes, against a real data directory (and, in the PostgreSQL
// pass, a real database this file creates and drops). Few children: each costs about a second.
const postgresUrl = process.env.DATABASE_URL ?? null;
let dataDir: string;
let env: Record<string, string>;
let dropDatabase = async (): Promise<void> => {};

/** Opens the same database the CLI uses, as a server would (on PGlite this holds the lock). */
async function withDatabase<T>(fn: (database: Database) => Promise<T>, holder = 'renkei serve'): Promise<T> {
  const config = loadConfig({ ...env, RENKEI_LOG_LEVEL: 'silent' });
  const database = await openDatabase(databaseTarget(config, holder));
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

beforeAll(async () => {
  dataDir = await createCliDataDir('renkei-cli-');
  env = { RENKEI_DATA_DIR: dataDir };
  if (postgresUrl) {
    // Named after the run's template, so the run's teardown drops it even if this file is killed.
    const name = `${inject('postgresTemplate') ?? 'renkei'}_cli_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const url = new URL(postgresUrl);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    dropDatabase = async () => {
      const dropper = new pg.Client({ connectionString: postgresUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await dropper.end();
    };
  }
  // What `renkei serve` does on first start: the schema, and the instance's own organisation.
  await withDatabase(async ({ db }) => {
    await migrateToLatest(db);
    await db
      .insertInto('organisations')
      .values({ name: 'CLI CSIRT', name_ja: null, kind: 'csirt', is_self: true, contact_email: null, contact_phone: null, website: null })
      .execute();
  }, 'cli test setup');
});

afterAll(async () => {
  await dropDatabase();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('renkei --help', () => {
  it('Should describe itself and each of its commands, exiting 0', async () => {
    const commands: [string[], RegExp][] = [
      [[], /Usage: renkei[\s\S]*serve[\s\S]*worker[\s\S]*migrate[\s\S]*user[\s\S]*audit/],
      [['serve'], /Usage: renkei serve[\s\S]*Run the web server/],
      [['worker'], /Usage: renkei worker[\s\S]*job worker/],
      [['migrate'], /Usage: renkei migrate[\s\S]*schema up to date/],
      [['user', 'add'], /Usage: renkei user add[\s\S]*standard input[\s\S]*--email[\s\S]*--role/],
      [['user', 'token'], /Usage: renkei user token[\s\S]*API token[\s\S]*--days/],
      [['audit', 'verify'], /Usage: renkei audit verify[\s\S]*exit 0 when intact, 4/],
      [['audit', 'checkpoint'], /Usage: renkei audit checkpoint[\s\S]*signed checkpoint/],
    ];
    const results = await Promise.all(commands.map(([command]) => runCli([...command, '--help'], { env })));
    results.forEach((result, i) => {
      const [command, description] = commands[i]!;
      expect(result.code, command.join(' ')).toBe(0);
      expect(result.stdout, command.join(' ')).toMatch(description);
    });
  }, 60_000);
});

describe('renkei user add and user token', () => {
  const email = 'cli-admin@test.example';
  const password = 'パスワード and spaces 12345';

  it('Should refuse a short password from standard input with a clear message', async () => {
    const result = await runCli(['user', 'add', '--email', 'short@test.example', '--name', 'Short', '--role', 'analyst'], { env, input: 'too-short\n' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('The password (from standard input) must be at least 12 characters.');
    expect(await withDatabase(({ db }) => db.selectFrom('users').select('id').where('email', '=', 'short@test.example').execute())).toEqual([]);
  });

  it('Should create a user whose password (read from standard input) logs in, and print a token that works as a Bearer', async () => {
    const added = await runCli(['user', 'add', '--email', 'CLI-Admin@Test.Example', '--name', 'CLI 管理者', '--role', 'admin', 'analyst', '--locale', 'ja'], {
      env,
      input: `${password}\n`,
    });
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(
      new RegExp(`^Created user ${email} \\([0-9a-f-]{36}\\) with roles: (admin@CLI CSIRT, analyst@CLI CSIRT|analyst@CLI CSIRT, admin@CLI CSIRT)\\n$`),
    );

    const minted = await runCli(['user', 'token', '--email', email, '--name', 'sensor tokyo-1', '--role', 'analyst', '--days', '7'], { env });
    expect(minted.code).toBe(0);
    expect(minted.stdout).toMatch(/^rk_\S+\n$/);
    expect(minted.stderr).toContain('It is shown only now.');
    const token = minted.stdout.trim();

    // A real app over the same data, after the CLI has exited and let go of it.
    await withDatabase(async (database) => {
      const config = loadConfig({ ...env, RENKEI_LOG_LEVEL: 'silent' });
      const app = await buildApp(config, createServices(database, config));
      try {
        const me = await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
        expect(me.statusCode).toBe(200);
        expect(me.json()).toMatchObject({ email, displayName: 'CLI 管理者', locale: 'ja', roles: ['analyst'] });
        const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
        expect(login.statusCode).toBe(200);
        expect(login.json().roles).toEqual(expect.arrayContaining(['admin', 'analyst']));
      } finally {
        await app.close();
      }
    });
  }, 60_000);

  it('Should refuse a token carrying a role the user does not hold, printing no token', async () => {
    const notHeld = await runCli(['user', 'token', '--email', email, '--name', 'x', '--role', 'publisher'], { env });
    expect(notHeld.code).toBe(1);
    expect(notHeld.stderr.trim()).toBe('role_not_held: A token cannot carry roles its user does not hold: publisher');
    expect(notHeld.stdout).toBe('');
  }, 60_000);
});

describe('renkei audit verify', () => {
  it('Should exit 0 on an intact chain, and 4 naming the broken entry after tampering', async () => {
    // Entries of its own, so this test does not lean on the ones above.
    const seqs = await withDatabase(async ({ db }) => {
      for (const id of ['a', 'b', 'c'])
        await db.transaction().execute((trx) => recordAudit(trx, systemContext('cli test'), { action: 'test.write', targetType: 'test', targetId: id }));
      return (await db.selectFrom('audit_log').select('seq').where('action', '=', 'test.write').orderBy('seq').execute()).map((row) => row.seq);
    });
    const intact = await runCli(['audit', 'verify'], { env });
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(new RegExp(`^Audit chain intact: ${seqs[2]} entries, head [0-9a-f]{64}\\n$`));

    await withDatabase(async ({ db }) => {
      await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change`.execute(db);
      await sql`UPDATE audit_log SET target_id = 'z' WHERE seq = ${seqs[1]}`.execute(db);
      await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change`.execute(db);
    });
    const broken = await runCli(['audit', 'verify'], { env });
    expect(broken.code).toBe(4);
    expect(broken.stdout).toBe(`Audit chain BROKEN at entry ${seqs[1]}: entry ${seqs[1]} was altered after it was written\n`);
  }, 60_000);

  it('Should report the newest entries removed once a checkpoint was written', async () => {
    await withDatabase(async ({ db }) => {
      for (const id of ['x', 'y'])
        await db.transaction().execute((trx) => recordAudit(trx, systemContext('cli test'), { action: 'test.tail', targetType: 'test', targetId: id }));
      // Mend the entry the test above altered, so only the removal below is wrong.
      await sql`ALTER TABLE audit_log DISABLE TRIGGER USER`.execute(db);
      await sql`UPDATE audit_log SET target_id = 'b' WHERE action = 'test.write' AND target_id = 'z'`.execute(db);
      await sql`ALTER TABLE audit_log ENABLE TRIGGER USER`.execute(db);
    });
    const written = await runCli(['audit', 'checkpoint'], { env });
    expect(written.code).toBe(0);
    expect(written.stdout).toMatch(/^Checkpoint written: entry \d+, hash [0-9a-f]{64}\n$/);
    expect((await runCli(['audit', 'verify'], { env })).stdout).toMatch(/\nAgrees with 1 checkpoint\(s\), the latest of .* at entry \d+\n$/);

    await withDatabase(async ({ db }) => {
      await sql`ALTER TABLE audit_log DISABLE TRIGGER USER`.execute(db);
      await sql`DELETE FROM audit_log WHERE action = 'test.tail'`.execute(db);
      await sql`ALTER TABLE audit_log ENABLE TRIGGER USER`.execute(db);
    });
    const broken = await runCli(['audit', 'verify'], { env });
    expect(broken.code).toBe(4);
    expect(broken.stdout).toMatch(/^Audit log BROKEN: entries after \d+ were removed: the checkpoint of .* recorded entry \d+\n$/);
  }, 60_000);
});

describe('a CLI command while a server holds the embedded database', () => {
  it("Should say plainly what to do and exit 3, leaving the server's data alone", async () => {
    // In the PostgreSQL pass the CLI's database takes no lock, so a bare directory stands in, held
    // the way a server holds it (data-dir-lock.test.ts shows that opening the database takes this lock).
    const lockedDir = postgresUrl ? fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-cli-locked-')) : dataDir;
    const server = postgresUrl ? null : await openDatabase({ kind: 'pglite', dataDir: lockedDir, holder: 'renkei serve' });
    const releaseLock = server ? null : acquireDataDirLock(lockedDir, 'renkei serve');
    try {
      const childEnv = { RENKEI_DATA_DIR: lockedDir };
      const [add, verify] = await Promise.all([
        runCli(['user', 'add', '--email', 'later@test.example', '--name', 'Later', '--role', 'analyst'], { env: childEnv, input: 'a-long-enough-password\n' }),
        runCli(['audit', 'verify'], { env: childEnv }),
      ]);
      for (const [result, command] of [
        [add, 'user add'],
        [verify, 'audit verify'],
      ] as const) {
        expect(result.code, command).toBe(3);
        expect(result.stdout).toBe('');
        expect(result.stderr).toContain(`in use by "renkei serve" (PID ${process.pid} on ${os.hostname()}`);
        expect(result.stderr).toContain(`\`renkei ${command}\` needs the database to itself`);
        expect(result.stderr).toContain('Stop the server (Ctrl-C) and run the command again');
        expect(result.stderr).not.toMatch(/\n\s+at /);
      }
      if (server) {
        expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(server.db)).rows).toEqual([{ one: 1 }]);
        expect(await server.db.selectFrom('users').select('id').where('email', '=', 'later@test.example').execute()).toEqual([]);
      }
    } finally {
      await server?.close();
      releaseLock?.();
      if (lockedDir !== dataDir) fs.rmSync(lockedDir, { recursive: true, force: true });
    }
  }, 60_000);
});
