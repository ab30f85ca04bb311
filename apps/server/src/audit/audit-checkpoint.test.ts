import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Schema } from '../db/schema/index.ts';
import { systemContext } from '../policy/actor.ts';
import { openTestDatabase } from '../testing/test-database.ts';
import { GENESIS_HASH, entryHash } from './audit-chain.ts';
import { type CheckpointFiles, checkpointFiles, verifyAuditCheckpoints, writeAuditCheckpoint } from './audit-checkpoint.ts';
import { chainedContentOf, recordAudit, verifyAuditChain } from './audit.service.ts';

let dataDir: string;
beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-audit-checkpoint-'));
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** A database and checkpoint files of their own, with five entries and a checkpoint of their head. */
async function withCheckpointedLog(fn: (db: Kysely<Schema>, files: CheckpointFiles) => Promise<void>): Promise<void> {
  const database = await openTestDatabase();
  const files = checkpointFiles(fs.mkdtempSync(path.join(dataDir, 'case-')));
  try {
    for (const id of ['a', 'b', 'c', 'd', 'e'])
      await database.db
        .transaction()
        .execute((trx) => recordAudit(trx, systemContext('checkpoint test'), { action: 'test.write', targetType: 'test', targetId: id }));
    expect(await writeAuditCheckpoint(database.db, files)).toMatchObject({ seq: 5 });
    expect(await verifyAuditCheckpoints(database.db, files)).toMatchObject({ ok: true, checkpoints: 1 });
    await fn(database.db, files);
  } finally {
    await database.close();
  }
}

/** What someone with the database owner's rights can do: the guard triggers off. */
async function asTheDba(db: Kysely<Schema>, statement: ReturnType<typeof sql>): Promise<void> {
  await sql`ALTER TABLE audit_log DISABLE TRIGGER USER`.execute(db);
  try {
    await statement.execute(db);
  } finally {
    await sql`ALTER TABLE audit_log ENABLE TRIGGER USER`.execute(db);
  }
}

describe('audit checkpoints', () => {
  it('Should report the newest entries removed, which the chain alone calls intact', async () => {
    await withCheckpointedLog(async (db, files) => {
      await asTheDba(db, sql`DELETE FROM audit_log WHERE seq > 3`);
      expect(await verifyAuditChain(db)).toMatchObject({ intact: true });
      const result = await verifyAuditCheckpoints(db, files);
      expect(result).toMatchObject({ ok: false });
      expect(!result.ok && result.reason).toMatch(/^entries after 3 were removed: the checkpoint of .* recorded entry 5$/);
    });
  });

  it('Should report an emptied log', async () => {
    await withCheckpointedLog(async (db, files) => {
      await asTheDba(db, sql`TRUNCATE audit_log`);
      expect(await verifyAuditChain(db)).toMatchObject({ intact: true, entries: 0 });
      const result = await verifyAuditCheckpoints(db, files);
      expect(!result.ok && result.reason).toMatch(/^the log is empty, but the checkpoint of .* recorded 5 entries$/);
    });
  });

  it('Should report a row altered with every later hash recomputed', async () => {
    await withCheckpointedLog(async (db, files) => {
      await asTheDba(db, sql`UPDATE audit_log SET target_id = 'forged' WHERE seq = 2`);
      // Re-chain from the altered entry on, as a careful attacker would.
      const rows = await db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
      let prev = GENESIS_HASH;
      for (const row of rows) {
        const hash = entryHash(prev, chainedContentOf(row));
        await asTheDba(db, sql`UPDATE audit_log SET prev_hash = ${prev}, hash = ${hash} WHERE seq = ${row.seq}`);
        prev = hash;
      }
      expect(await verifyAuditChain(db)).toMatchObject({ intact: true });
      const result = await verifyAuditCheckpoints(db, files);
      expect(!result.ok && result.reason).toMatch(/^entry 5 differs from the checkpoint of .*: the log was rewritten$/);
    });
  });

  it('Should not trust a checkpoint line edited to match a rewritten log', async () => {
    await withCheckpointedLog(async (db, files) => {
      const line = JSON.parse(fs.readFileSync(files.file, 'utf8').trim());
      fs.writeFileSync(files.file, `${JSON.stringify({ ...line, hash: 'f'.repeat(64) })}\n`);
      const result = await verifyAuditCheckpoints(db, files);
      expect(!result.ok && result.reason).toBe("checkpoint line 1 is not signed by this installation's key");
    });
  });

  it('Should keep the key private to its owner and pass a log that only grew', async () => {
    await withCheckpointedLog(async (db, files) => {
      expect(fs.statSync(files.keyFile).mode & 0o777).toBe(0o600);
      await db.transaction().execute((trx) => recordAudit(trx, systemContext('checkpoint test'), { action: 'test.write', targetType: 'test', targetId: 'f' }));
      await writeAuditCheckpoint(db, files);
      expect(await verifyAuditCheckpoints(db, files)).toMatchObject({ ok: true, checkpoints: 2, latest: { seq: 6 } });
    });
  });
});
