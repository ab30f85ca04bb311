import { type Kysely, type Selectable, sql } from 'kysely';
import type { FeedEventQuery } from '@renkei/contract';
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

export type MappingRow = Selectable<Schema['feed_mappings']>;
export type SourceRow = Selectable<Schema['feed_sources']>;
export type NotificationRow = Selectable<Schema['feed_notifications']>;

/** Opens a run in state `running`; its counts are written when it ends. */
export async function insertRun(
  db: Kysely<Schema>,
  values: { origin: string; sourceId: string | null; format: string; mappingName: string | null; originalSha256: string | null; startedBy: string },
): Promise<string> {
  const run = await db
    .insertInto('feed_runs')
    .values({
      origin: values.origin,
      source_id: values.sourceId,
      format: values.format,
      mapping_name: values.mappingName,
      original_sha256: values.originalSha256,
      state: 'running',
      error: null,
      started_by: values.startedBy,
      finished_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return run.id;
}

/**
 * Fails a run and removes the events it stored: a failed run leaves nothing to notify, and nothing that
 * would make a second ingest of the same file count its rows as duplicates.
 */
export async function markRunFailed(db: Kysely<Schema>, id: string, error: string, seconds: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('feed_events').where('run_id', '=', id).execute();
    await trx.updateTable('feed_runs').set({ state: 'failed', error, finished_at: new Date(), seconds, events_stored: 0 }).where('id', '=', id).execute();
  });
}

/** The running process's sign of life. */
export async function touchRun(db: Kysely<Schema>, id: string): Promise<void> {
  await db.updateTable('feed_runs').set({ heartbeat_at: new Date() }).where('id', '=', id).where('state', '=', 'running').execute();
}

/**
 * Fails the runs still `running` whose process has shown no sign of life for `staleMinutes` (killed, or
 * its machine gone), removing the events they stored; answers each with the events removed.
 */
export async function failAbandonedRuns(db: Kysely<Schema>, staleMinutes: number): Promise<{ id: string; eventsRemoved: number }[]> {
  return db.transaction().execute(async (trx) => {
    const stale = await trx
      .selectFrom('feed_runs')
      .select(['id', 'heartbeat_at'])
      .where('state', '=', 'running')
      .where('heartbeat_at', '<', sql<Date>`now() - make_interval(mins => ${staleMinutes})`)
      .forUpdate()
      .skipLocked()
      .execute();
    const out: { id: string; eventsRemoved: number }[] = [];
    for (const run of stale) {
      const removed = await trx.deleteFrom('feed_events').where('run_id', '=', run.id).executeTakeFirst();
      await trx
        .updateTable('feed_runs')
        .set({
          state: 'failed',
          error: `Abandoned: its process stopped (no sign of life since ${run.heartbeat_at.toISOString()}); the events it had stored were removed. Ingest the file again.`,
          finished_at: new Date(),
          events_stored: 0,
        })
        .where('id', '=', run.id)
        .execute();
      out.push({ id: run.id, eventsRemoved: Number(removed.numDeletedRows) });
    }
    return out;
  });
}

export async function finishRun(
  db: Kysely<Schema>,
  id: string,
  counts: { error: string | null; rowsRead: number; eventsStored: number; duplicates: number; rejected: number; bytesRead: number; seconds: number },
): Promise<void> {
  if (counts.error) await db.deleteFrom('feed_events').where('run_id', '=', id).execute();
  // Only a run still running is finished: one the sweep failed as abandoned stays failed.
  await db
    .updateTable('feed_runs')
    .set({
      state: counts.error ? 'failed' : 'completed',
      error: counts.error,
      rows_read: counts.rowsRead,
      events_stored: counts.error ? 0 : counts.eventsStored,
      duplicates: counts.duplicates,
      rejected: counts.rejected,
      bytes_read: counts.bytesRead,
      seconds: counts.seconds,
      finished_at: new Date(),
    })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .execute();
}

const EVENT_COLUMNS = [
  'id',
  'run_id',
  'source',
  'report_type',
  'taxonomy',
  'type',
  'observed_at',
  'ip',
  'port',
  'protocol',
  'hostname',
  'tag',
  'asn',
  'country',
  'organisation_id',
  'recipient',
  'tlp',
  'line',
  'extra',
  'notification_id',
  'withheld',
] as const;
export type EventRow = Pick<Selectable<Schema['feed_events']>, (typeof EVENT_COLUMNS)[number]>;

/** Events newest first, `limit + 1` of them so the caller knows whether a next page exists. */
export async function listEventRows(db: Kysely<Schema>, query: FeedEventQuery, limit: number, scope: Scope): Promise<EventRow[]> {
  let q = db
    .selectFrom('feed_events')
    .select(EVENT_COLUMNS)
    .where(scopeWhere(scope, { organisation: sql.ref('organisation_id') }));
  if (query.recipient !== undefined) {
    // Same as recipient = r, through the indexes the bulk insert can afford: the recipient's
    // notifications (feed_events_notification) and its pending events (feed_events_pending).
    const recipient = query.recipient.toLowerCase();
    q = q.where((eb) =>
      eb.or([
        eb('notification_id', 'in', eb.selectFrom('feed_notifications as fn').select('fn.id').where('fn.recipient', '=', recipient)),
        eb.and([eb('recipient', '=', recipient), eb('notification_id', 'is', null)]),
      ]),
    );
  }
  if (query.type !== undefined) q = q.where('type', '=', query.type);
  if (query.notificationId !== undefined) q = q.where('notification_id', '=', query.notificationId);
  if (query.before !== undefined) q = q.where('id', '<', query.before);
  return q
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
}

export async function listNotificationEventRows(db: Kysely<Schema>, notificationId: string, limit: number): Promise<EventRow[]> {
  return db.selectFrom('feed_events').select(EVENT_COLUMNS).where('notification_id', '=', notificationId).orderBy('id').limit(limit).execute();
}
