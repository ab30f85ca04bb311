import { type Kysely, type Selectable, sql } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import { ALL, type Scope, scopeWhere } from '../policy/scope.ts';
import { type EventBatch, numberArray, plainArray, textArray } from './event-batch.ts';

/**
 * Stores a batch of events in one statement; the same fingerprint twice (in the batch or already
 * stored) is one row. Returns how many rows were new.
 */
export async function insertEvents(db: Kysely<Schema>, runId: string, source: string, b: EventBatch): Promise<number> {
  if (b.size === 0) return 0;
  const result = await sql`
    INSERT INTO feed_events (fingerprint, run_id, source, report_type, taxonomy, type, observed_at, ip, port, protocol, hostname, tag, asn, country, organisation_id, recipient, tlp, line, extra)
    SELECT u.f, ${runId}::uuid, ${source}, u.rt, u.tx, u.ty, to_timestamp(u.t), u.ip, u.p, u.pr, u.h, u.tg, u.a, u.c, u.o, u.r, u.tlp, u.l, u.e::jsonb
    FROM unnest(${plainArray(b.fingerprint)}::uuid[], ${textArray(b.reportType)}::text[], ${plainArray(b.taxonomy)}::text[], ${plainArray(b.type)}::text[],
                ${numberArray(b.time)}::float8[], ${plainArray(b.ip)}::inet[], ${numberArray(b.port)}::int4[], ${textArray(b.protocol)}::text[],
                ${textArray(b.hostname)}::text[], ${textArray(b.tag)}::text[], ${numberArray(b.asn)}::int8[], ${plainArray(b.country)}::text[],
                ${plainArray(b.organisationId)}::uuid[], ${textArray(b.recipient)}::text[], ${plainArray(b.tlp)}::text[], ${numberArray(b.line)}::int4[],
                ${textArray(b.extra)}::text[])
      AS u(f, rt, tx, ty, t, ip, p, pr, h, tg, a, c, o, r, tlp, l, e)
    -- Batches run two at a time: inserting in key order means two batches sharing keys cannot deadlock.
    ORDER BY u.f
    ON CONFLICT (fingerprint) DO NOTHING
  `.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export interface RejectRow {
  line: number;
  reason: string;
  raw: Buffer;
}

export async function insertRejects(db: Kysely<Schema>, runId: string, rows: RejectRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    INSERT INTO feed_rejects (run_id, line, reason, raw)
    SELECT ${runId}::uuid, u.l, u.r, decode(u.x, 'hex') FROM unnest(${numberArray(rows.map((r) => r.line))}::int4[], ${textArray(rows.map((r) => r.reason))}::text[], ${textArray(rows.map((r) => r.raw.toString('hex')))}::text[]) AS u(l, r, x)
    ON CONFLICT DO NOTHING
  `.execute(db);
}

export interface RunSummaryRow {
  id: string;
  origin: string;
  sourceId: string | null;
  format: string;
  mappingName: string | null;
  originalSha256: string | null;
  state: string;
  error: string | null;
  rowsRead: number;
  eventsStored: number;
  duplicates: number;
  rejected: number;
  bytesRead: number;
  seconds: number;
  startedBy: string;
  startedAt: Date;
  finishedAt: Date | null;
}

export const runRowToRun = (r: Selectable<Schema['feed_runs']>): RunSummaryRow => ({
  id: r.id,
  origin: r.origin,
  sourceId: r.source_id,
  format: r.format,
  mappingName: r.mapping_name,
  originalSha256: r.original_sha256,
  state: r.state,
  error: r.error,
  rowsRead: r.rows_read,
  eventsStored: r.events_stored,
  duplicates: r.duplicates,
  rejected: r.rejected,
  bytesRead: Number(r.bytes_read),
  seconds: r.seconds,
  startedBy: r.started_by,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});
export function runsQuery(db: Kysely<Schema>) {
  return db.selectFrom('feed_runs').selectAll();
}

export async function listRuns(
  db: Kysely<Schema>,
  page: { offset: number; limit: number },
  scope: Scope = ALL,
): Promise<{ items: RunSummaryRow[]; total: number }> {
  const [rows, count] = await Promise.all([
    runsQuery(db).where(scopeWhere(scope)).orderBy('started_at', 'desc').orderBy('id').offset(page.offset).limit(page.limit).execute(),
    db
      .selectFrom('feed_runs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(scopeWhere(scope))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(runRowToRun), total: Number(count.n) };
}

export async function findRun(db: Kysely<Schema>, id: string, scope: Scope = ALL): Promise<RunSummaryRow | null> {
  const row = await runsQuery(db).where('id', '=', id).where(scopeWhere(scope)).executeTakeFirst();
  return row ? runRowToRun(row) : null;
}

export async function listRejects(db: Kysely<Schema>, runId: string, limit: number): Promise<{ line: number; reason: string; excerpt: string }[]> {
  const rows = await db.selectFrom('feed_rejects').select(['line', 'reason', 'raw']).where('run_id', '=', runId).orderBy('line').limit(limit).execute();
  // The excerpt is untrusted bytes: shown as text with NUL and invalid UTF-8 replaced.
  return rows.map((r) => ({ line: r.line, reason: r.reason, excerpt: Buffer.from(r.raw).toString('utf8').replaceAll('\0', '\uFFFD') }));
}
