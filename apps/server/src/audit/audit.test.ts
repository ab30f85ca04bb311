import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import type { Schema } from '../db/schema/index.ts';
import type { RequestContext } from '../policy/actor.ts';
import { openTestDatabase } from '../testing/test-database.ts';
import { GENESIS_HASH, entryHash } from './audit-chain.ts';
import { type AuditEvent, recordAudit, verifyAuditChain } from './audit.service.ts';

const ctx: RequestContext = { actor: { kind: 'system', label: 'audit test' }, ip: '192.0.2.7', requestId: 'req-audit-test' };

/** Payloads that must come back from jsonb hashing the same: key order, Japanese, emoji, dates, nesting. */
const EVENTS: AuditEvent[] = [
  { action: 'user.create', targetType: 'user', targetId: 'u-1', after: { z: 1, a: 'first', nested: { b: [3, 2, 1], a: null } } },
  {
    action: 'user.update_profile',
    targetType: 'user',
    targetId: 'u-1',
    before: { displayName: '分析 太郎' },
    after: { displayName: '分析 花子 🌸', skipped: undefined },
  },
  {
    action: 'token.create',
    targetType: 'api_token',
    targetId: null,
    after: { expiresAt: new Date('2026-12-01T00:00:00.123Z'), roles: ['analyst'], ratio: 0.1, big: 2 ** 53 - 1 },
  },
  { action: 'session.delete', targetType: 'user', targetId: 'u-1' },
  { action: 'note.publish', targetType: 'note', targetId: 'JVNVU#12345678', before: { quote: 'He said "hi"\n\t\\ <b>' }, after: { published: true } },
];

async function append(db: Kysely<Schema>, events: AuditEvent[], context: RequestContext = ctx): Promise<void> {
  for (const event of events) await db.transaction().execute((trx) => recordAudit(trx, context, event));
}

/** Runs a statement the way someone with the database owner's rights could: with the guard trigger off. */
async function behindTheAppsBack(db: Kysely<Schema>, statement: ReturnType<typeof sql>): Promise<void> {
  await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change`.execute(db);
  try {
    await statement.execute(db);
  } finally {
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change`.execute(db);
  }
}

/** A database of its own for a test that damages the log. */
async function withFreshLog(fn: (db: Kysely<Schema>) => Promise<void>): Promise<void> {
  const database = await openTestDatabase();
  try {
    await append(database.db, EVENTS);
    await fn(database.db);
  } finally {
    await database.close();
  }
}

describe('the audit chain', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  it('Should link every entry to the one before it, starting from the genesis hash', async () => {
    await append(database.db, EVENTS);
    const rows = await database.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
    expect(rows.map((row) => row.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    expect(new Set(rows.map((row) => row.hash)).size).toBe(rows.length);
    expect(rows[1]).toMatchObject({ actor_label: 'audit test', ip: '192.0.2.7', request_id: 'req-audit-test', before: { displayName: '分析 太郎' } });
  });

  it('Should say the chain is intact, with its length and head hash', async () => {
    const head = await database.db.selectFrom('audit_log').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(await verifyAuditChain(database.db)).toEqual({ intact: true, entries: 5, headHash: head.hash });
  });

  it('Should leave no entry and no gap behind a transaction that rolled back', async () => {
    const failed = database.db.transaction().execute(async (trx) => {
      await recordAudit(trx, ctx, { action: 'user.create', targetType: 'user', targetId: 'never' });
      throw new Error('the change failed after its audit entry was written');
    });
    await expect(failed).rejects.toThrow('the change failed');
    await append(database.db, [{ action: 'user.create', targetType: 'user', targetId: 'u-2' }]);
    const last = await database.db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(last).toMatchObject({ seq: 6, target_id: 'u-2' });
    expect(await database.db.selectFrom('audit_log').select('seq').where('target_id', '=', 'never').execute()).toEqual([]);
    expect(await verifyAuditChain(database.db)).toMatchObject({ intact: true, entries: 6 });
  });

  it('Should refuse UPDATE, DELETE and TRUNCATE of the log from the application', async () => {
    await expect(database.db.updateTable('audit_log').set({ action: 'nothing.happened' }).where('seq', '=', 2).execute()).rejects.toThrow(/append-only/);
    await expect(database.db.deleteFrom('audit_log').where('seq', '=', 2).execute()).rejects.toThrow(/append-only/);
    await expect(database.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
    // TRUNCATE fires no row triggers; an emptied log would verify as intact, so it has a trigger of its own.
    await expect(sql`TRUNCATE audit_log`.execute(database.db)).rejects.toThrow(/append-only/);
    const second = await database.db.selectFrom('audit_log').select('action').where('seq', '=', 2).executeTakeFirstOrThrow();
    expect(second.action).toBe('user.update_profile');
    expect(await verifyAuditChain(database.db)).toMatchObject({ intact: true, entries: 6 });
  });

  it('Should keep the chain gap-free and valid under many concurrent writers', async () => {
    const writers = 40;
    const before = (await verifyAuditChain(database.db)).entries;
    const backends = await Promise.all(
      Array.from({ length: writers }, (_, i) =>
        database.db.transaction().execute(async (trx) => {
          // Start each transaction's work at a slightly different moment so they overlap, not queue.
          await sql`SELECT pg_sleep(${(i % 5) / 1000})`.execute(trx);
          const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
          await recordAudit(trx, { ...ctx, requestId: `writer-${i}` }, { action: 'load.write', targetType: 'test', targetId: String(i), after: { i } });
          return rows[0]!.pid;
        }),
      ),
    );
    // On PostgreSQL the pool's connections really run side by side, so only the advisory lock keeps seq in order.
    if (database.engine === 'postgresql') expect(new Set(backends).size).toBeGreaterThan(1);
    const result = await verifyAuditChain(database.db);
    expect(result).toMatchObject({ intact: true, entries: before + writers });
    const seqs = (await database.db.selectFrom('audit_log').select('seq').orderBy('seq').execute()).map((row) => row.seq);
    expect(seqs).toEqual(Array.from({ length: before + writers }, (_, i) => i + 1));
    const written = await database.db.selectFrom('audit_log').select('target_id').where('action', '=', 'load.write').execute();
    expect(new Set(written.map((row) => row.target_id)).size).toBe(writers);
  });
});

describe('tampering with the audit log', () => {
  it("Should find an entry altered behind the application's back and name it by seq", async () => {
    await withFreshLog(async (db) => {
      await behindTheAppsBack(db, sql`UPDATE audit_log SET actor_label = 'someone else' WHERE seq = 3`);
      expect(await verifyAuditChain(db)).toEqual({ intact: false, entries: 5, brokenAt: 3, reason: 'entry 3 was altered after it was written' });
    });
  });

  it('Should find an altered payload even when only a nested jsonb value changed', async () => {
    await withFreshLog(async (db) => {
      await behindTheAppsBack(db, sql`UPDATE audit_log SET after = jsonb_set(after, '{nested,b,0}', '4') WHERE seq = 1`);
      expect(await verifyAuditChain(db)).toMatchObject({ intact: false, brokenAt: 1 });
    });
  });

  it('Should find an altered entry whose own hash was recomputed, at the entry after it', async () => {
    await withFreshLog(async (db) => {
      // A careful forger rewrites the entry and recomputes its hash; the next entry still links to the old one.
      const row = await db.selectFrom('audit_log').selectAll().where('seq', '=', 2).executeTakeFirstOrThrow();
      const forged = entryHash(row.prev_hash, {
        seq: 2,
        at: row.at.toISOString(),
        actorId: row.actor_id,
        actorLabel: row.actor_label,
        action: 'nothing.happened',
        targetType: row.target_type,
        targetId: row.target_id,
        before: row.before ?? null,
        after: row.after ?? null,
        ip: row.ip,
        requestId: row.request_id,
      });
      await behindTheAppsBack(db, sql`UPDATE audit_log SET action = 'nothing.happened', hash = ${forged} WHERE seq = 2`);
      expect(await verifyAuditChain(db)).toEqual({ intact: false, entries: 5, brokenAt: 3, reason: 'entry 3 does not link to entry 2' });
    });
  });

  it('Should find an entry deleted from the middle of the chain', async () => {
    await withFreshLog(async (db) => {
      await behindTheAppsBack(db, sql`DELETE FROM audit_log WHERE seq = 3`);
      expect(await verifyAuditChain(db)).toEqual({ intact: false, entries: 4, brokenAt: 3, reason: 'entry 3 is missing (next present is 4)' });
    });
  });

  it('Should find a deleted entry even when the later ones were renumbered to close the gap', async () => {
    await withFreshLog(async (db) => {
      await behindTheAppsBack(db, sql`DELETE FROM audit_log WHERE seq = 3`);
      await behindTheAppsBack(db, sql`UPDATE audit_log SET seq = seq - 1 WHERE seq > 3`);
      expect(await verifyAuditChain(db)).toMatchObject({ intact: false, brokenAt: 3, reason: 'entry 3 does not link to entry 2' });
    });
  });
});
