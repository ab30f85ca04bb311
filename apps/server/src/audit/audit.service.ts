import { type Kysely, type Selectable, type Transaction, sql } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import type { AuditLogTable } from '../db/schema/audit-log.ts';
import { type RequestContext, actorId, actorLabel } from '../policy/actor.ts';
import { scopeWhere } from '../policy/scope.ts';
import { type ChainedContent, GENESIS_HASH, asStoredJson, entryHash } from './audit-chain.ts';
import { auditPolicy } from './audit.policy.ts';

export interface AuditEvent {
  action: string;
  targetType: string;
  targetId: string | null;
  before?: unknown;
  after?: unknown;
}

/** Any lock key will do so long as every writer uses the same one; this one spells "audit". */
const AUDIT_LOCK_KEY = 0x61756474;

/**
 * Appends an entry to the hash-chained audit log, inside the caller's transaction, so the entry
 * exists if and only if the change it describes does.
 * @example await db.transaction().execute((trx) => recordAudit(trx, ctx, { action: 'user.create', targetType: 'user', targetId: id, after: user }));
 */
export async function recordAudit(trx: Transaction<Schema>, ctx: RequestContext, event: AuditEvent): Promise<void> {
  // Serialise writers so each entry links to the one before it; held until the transaction ends.
  await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(trx);
  const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const seq = (last?.seq ?? 0) + 1;
  const prevHash = last?.hash ?? GENESIS_HASH;
  const at = new Date();
  const content = {
    seq,
    at: at.toISOString(),
    actorId: actorId(ctx.actor),
    actorLabel: actorLabel(ctx.actor),
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    before: asStoredJson(event.before),
    after: asStoredJson(event.after),
    ip: ctx.ip,
    requestId: ctx.requestId,
  };
  await trx
    .insertInto('audit_log')
    .values({
      seq,
      at,
      actor_id: content.actorId,
      actor_label: content.actorLabel,
      action: content.action,
      target_type: content.targetType,
      target_id: content.targetId,
      before: content.before === null ? null : JSON.stringify(content.before),
      after: content.after === null ? null : JSON.stringify(content.after),
      ip: content.ip,
      request_id: content.requestId,
      prev_hash: prevHash,
      hash: entryHash(prevHash, content),
    })
    .execute();
}

/** The fields of a stored entry that its hash covers. */
export function chainedContentOf(row: Selectable<AuditLogTable>): ChainedContent {
  return {
    seq: Number(row.seq),
    at: row.at.toISOString(),
    actorId: row.actor_id,
    actorLabel: row.actor_label,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    before: row.before ?? null,
    after: row.after ?? null,
    ip: row.ip,
    requestId: row.request_id,
  };
}

export type AuditVerification = { intact: true; entries: number; headHash: string } | { intact: false; entries: number; brokenAt: number; reason: string };

/**
 * Walks the whole chain in order and recomputes every hash. Finds altered entries (hash mismatch),
 * removed ones (a gap in seq or a broken link) and re-ordered ones.
 */
export async function verifyAuditChain(db: Kysely<Schema>, onProgress?: (checked: number, total: number) => void): Promise<AuditVerification> {
  const total = Number((await db.selectFrom('audit_log').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  const batch = 1000;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>=', expectedSeq).orderBy('seq').limit(batch).execute();
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq)
        return { intact: false, entries: total, brokenAt: expectedSeq, reason: `entry ${expectedSeq} is missing (next present is ${seq})` };
      if (row.prev_hash !== prevHash) return { intact: false, entries: total, brokenAt: seq, reason: `entry ${seq} does not link to entry ${seq - 1}` };
      const recomputed = entryHash(prevHash, chainedContentOf(row));
      if (recomputed !== row.hash) return { intact: false, entries: total, brokenAt: seq, reason: `entry ${seq} was altered after it was written` };
      prevHash = row.hash;
      expectedSeq++;
    }
    onProgress?.(expectedSeq - 1, total);
  }
  return { intact: true, entries: total, headHash: prevHash };
}

/** One entry as an administrator reads it. */
export interface AuditEntryView {
  seq: number;
  at: Date;
  actor: string;
  action: string;
  targetType: string;
  targetId: string | null;
  ip: string | null;
  hash: string;
}

export interface AuditService {
  /** The log, newest first (admin). */
  list(ctx: RequestContext, page: { offset: number; limit: number }): Promise<{ items: AuditEntryView[]; total: number }>;
  /** Recomputes the whole chain; see `verifyAuditChain`. */
  verify(onProgress?: (checked: number, total: number) => void): Promise<AuditVerification>;
}

export function createAuditService(db: Kysely<Schema>): AuditService {
  return {
    async list(ctx, page) {
      const scope = auditPolicy.listScope(ctx.actor, 'audit.read');
      const rows = await db
        .selectFrom('audit_log')
        .select(['seq', 'at', 'actor_label', 'action', 'target_type', 'target_id', 'ip', 'hash'])
        .where(scopeWhere(scope))
        .orderBy('seq', 'desc')
        .offset(page.offset)
        .limit(page.limit)
        .execute();
      const total = (await db.selectFrom('audit_log').select(db.fn.countAll<number>().as('n')).where(scopeWhere(scope)).executeTakeFirstOrThrow()).n;
      return {
        items: rows.map((row) => ({
          seq: row.seq,
          at: row.at,
          actor: row.actor_label,
          action: row.action,
          targetType: row.target_type,
          targetId: row.target_id,
          ip: row.ip,
          hash: row.hash,
        })),
        total: Number(total),
      };
    },
    verify: (onProgress) => verifyAuditChain(db, onProgress),
  };
}
