import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type Kysely, type Selectable, sql } from 'kysely';
import type {
  FeedEvent,
  FeedEventPage,
  FeedEventQuery,
  FeedMapping,
  FeedMappingInput,
  FeedNotification,
  FeedNotificationDetail,
  FeedRun,
  FeedRunDetail,
  FeedSource,
  FeedSourceInput,
  TlpLevel,
} from '@renkei/contract';
import { TLP_LEVELS, isTlpLevel, tlpLabel } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { BlobStore } from '../blobs/index.ts';
import type { NetworkLookupService } from '../contacts/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { AppError, BadRequestError, ConflictError, NotFoundError } from '../kernel/errors.ts';
import { type MailService, type PreparedMail, renderTemplate } from '../mail/index.ts';
import { tlpAtMost, tlpOfRank, tlpRankSql } from '../kernel/tlp.ts';
import { type RequestContext, actorLabel, systemContext } from '../policy/actor.ts';
import { ALL, type Scope, scopeWhere } from '../policy/scope.ts';
import { isRsit, reportTypeFromFileName } from './classification.ts';
import type { CsvLimits } from './csv-reader.ts';
import { type RunSummaryRow, findRun, listRejects, listRuns } from './feeds.repository.ts';
import { feedsPolicy } from './feeds.policy.ts';
import { type FeedReading, type IngestProgress, ingestStream } from './ingest.ts';
import { FEED_NOTIFICATION_TEMPLATE, type NotifiedEvent, notificationFiles, notificationSummary, withheldNote } from './notification-render.ts';
import { EVENT_FIELDS, type EventField } from './row-mapper.ts';

export interface IngestRequest {
  format: 'shadowserver' | 'csv';
  /** Required for csv: a saved mapping's name. */
  mapping?: string | undefined;
  /** Shadowserver: the report type when the file name and columns do not say. */
  reportType?: string | undefined;
  tlp?: TlpLevel | undefined;
  onProgress?: ((progress: IngestProgress & { totalBytes: number }) => void) | undefined;
}

export interface IngestSummary extends FeedRun {
  /** True when the original file was larger than the blob limit and is not kept. */
  originalNotKept: boolean;
}

export interface FeedsServiceOptions {
  /** Largest feed file fetched from a URL (and kept as the original). */
  maxFetchBytes: number;
  fetchTimeoutMs: number;
  /** Events in one notification at most; the rest wait for the next. */
  maxEventsPerNotification: number;
  csvLimits?: Partial<CsvLimits>;
  batchSize?: number;
}

export class FeedFormatError extends AppError {
  constructor(message: string) {
    super(400, 'feed_unreadable', message);
  }
}

export type FeedsService = ReturnType<typeof createFeedsService>;

/**
 * Feeds: ingest runs (files, fetched URLs) through the bulk pipeline, saved mappings and sources, the
 * events, and notifications grouped per recipient and sent through the mail service.
 * @example const summary = await feeds.ingestFile(ctx, '2026-11-26-scan_ntp-jp.csv', { format: 'shadowserver' });
 */
export function createFeedsService(
  deps: {
    db: Kysely<Schema>;
    blobs: BlobStore;
    network: NetworkLookupService;
    mail: () => MailService;
    /** The team's own name and contact address (the directory's team identity), named in every notification. */
    team: () => Promise<{ name: string; contactEmail: string | null }>;
    engine: 'pglite' | 'postgresql';
    blobLimitBytes: number;
  },
  options: FeedsServiceOptions,
) {
  const { db, blobs, network } = deps;

  async function readingFor(
    request: { format: 'shadowserver' | 'csv'; mapping?: string | undefined; reportType?: string | undefined },
    fileName: string,
  ): Promise<{ reading: FeedReading; tlp: TlpLevel | null }> {
    if (request.format === 'shadowserver') {
      const reportType = request.reportType ?? reportTypeFromFileName(fileName) ?? 'unknown';
      return { reading: { format: 'shadowserver', reportType }, tlp: null };
    }
    if (!request.mapping) throw new BadRequestError('feed_mapping_required', 'A generic CSV feed needs a saved mapping (--mapping NAME)');
    const mapping = await db.selectFrom('feed_mappings').selectAll().where('name', '=', request.mapping).executeTakeFirst();
    if (!mapping) throw new NotFoundError('feed_mapping_not_found', `No mapping named "${request.mapping.slice(0, 80)}"`);
    return {
      reading: {
        format: 'csv',
        mapping: { name: mapping.name, columns: mapping.columns as Record<string, EventField>, taxonomy: mapping.taxonomy, type: mapping.type },
      },
      tlp: isTlpLevel(mapping.tlp) ? mapping.tlp : null,
    };
  }

  async function runIngest(
    ctx: RequestContext,
    input: {
      origin: string;
      sourceId: string | null;
      originalSha256: string | null;
      totalBytes: number;
      open: () => AsyncIterable<Buffer>;
      request: IngestRequest;
    },
  ): Promise<IngestSummary> {
    const { reading, tlp: mappingTlp } = await readingFor(input.request, input.origin);
    const tlp = input.request.tlp ?? mappingTlp ?? 'amber';
    const run = await db
      .insertInto('feed_runs')
      .values({
        origin: input.origin.slice(0, 1000),
        source_id: input.sourceId,
        format: input.request.format,
        mapping_name: reading.format === 'csv' ? reading.mapping.name : null,
        original_sha256: input.originalSha256,
        state: 'running',
        error: null,
        started_by: actorLabel(ctx.actor),
        finished_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const started = process.hrtime.bigint();
    const resolver = await network.bulkResolver(ctx);
    let counts;
    try {
      counts = await ingestStream(db, run.id, input.open(), resolver, {
        reading,
        tlp,
        batchSize: options.batchSize ?? (deps.engine === 'postgresql' ? 10_000 : 20_000),
        parallelInserts: deps.engine === 'postgresql' ? 2 : 1,
        ...(options.csvLimits ? { limits: options.csvLimits } : {}),
        ...(input.request.onProgress ? { onProgress: (p: IngestProgress) => input.request.onProgress!({ ...p, totalBytes: input.totalBytes }) } : {}),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await db
        .updateTable('feed_runs')
        .set({ state: 'failed', error: message.slice(0, 2000), finished_at: new Date(), seconds: Number(process.hrtime.bigint() - started) / 1e9 })
        .where('id', '=', run.id)
        .execute();
      if ((error as { code?: string }).code?.startsWith('Z_') || /incorrect header check|unexpected end of file/i.test(message))
        throw new FeedFormatError(`The file is not valid gzip: ${message}`);
      throw error;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('feed_runs')
        .set({
          state: counts.error ? 'failed' : 'completed',
          error: counts.error,
          rows_read: counts.rowsRead,
          events_stored: counts.eventsStored,
          duplicates: counts.duplicates,
          rejected: counts.rejected,
          bytes_read: counts.bytesRead,
          seconds,
          finished_at: new Date(),
        })
        .where('id', '=', run.id)
        .execute();
      await recordAudit(trx, ctx, {
        action: 'feeds.ingest',
        targetType: 'feed_run',
        targetId: run.id,
        after: {
          origin: input.origin.slice(0, 300),
          format: input.request.format,
          rowsRead: counts.rowsRead,
          eventsStored: counts.eventsStored,
          duplicates: counts.duplicates,
          rejected: counts.rejected,
          error: counts.error,
        },
      });
    });
    const summary = (await findRun(db, run.id))!;
    return { ...presentRun(summary), originalNotKept: input.originalSha256 === null };
  }

  const gunzipped = (stream: AsyncIterable<Buffer>, gz: boolean): AsyncIterable<Buffer> => (gz ? Readable.from(stream).pipe(createGunzip()) : stream);
  const looksGzip = (file: string) => {
    const fd = fs.openSync(file, 'r');
    try {
      const head = Buffer.alloc(2);
      fs.readSync(fd, head, 0, 2, 0);
      return head[0] === 0x1f && head[1] === 0x8b;
    } finally {
      fs.closeSync(fd);
    }
  };

  /** Builds, stores and mails one notification whose events are linked; idempotent on a notification already queued. */
  async function deliver(notificationId: string): Promise<FeedNotification> {
    const n = await db
      .selectFrom('feed_notifications as n')
      .leftJoin('organisations as o', 'o.id', 'n.organisation_id')
      .select([
        'n.id',
        'n.key',
        'n.recipient',
        'n.format',
        'n.language',
        'n.tlp',
        'n.state',
        'n.event_count',
        'n.withheld_count',
        'o.name as org_name',
        'o.name_ja as org_name_ja',
      ])
      .where('n.id', '=', notificationId)
      .executeTakeFirst();
    if (!n) throw new NotFoundError('feed_notification_not_found', 'No such notification');
    if (n.state !== 'pending') return (await getNotificationRow(notificationId))!;
    if (n.event_count === 0) {
      await db.updateTable('feed_notifications').set({ state: 'withheld' }).where('id', '=', n.id).execute();
      return (await getNotificationRow(notificationId))!;
    }
    const rows = await db
      .selectFrom('feed_events')
      .select(['observed_at', 'ip', 'port', 'protocol', 'hostname', 'tag', 'asn', 'country', 'report_type', 'taxonomy', 'type', 'extra'])
      .where('notification_id', '=', n.id)
      .where('withheld', '=', false)
      .orderBy('id')
      .execute();
    const events: NotifiedEvent[] = rows.map((r) => ({
      observedAt: r.observed_at,
      ip: r.ip,
      port: r.port,
      protocol: r.protocol,
      hostname: r.hostname,
      tag: r.tag,
      asn: r.asn === null ? null : Number(r.asn),
      country: r.country,
      reportType: r.report_type,
      taxonomy: r.taxonomy,
      type: r.type,
      extra: r.extra,
    }));
    const self = await deps.team();
    const format = n.format === 'xarf' ? 'xarf' : 'csv';
    const { stored: file, files, headers } = notificationFiles(format, n.key, events, self.contactEmail ?? self.name);
    const stored = await blobs.put(once(file));
    const language = n.language === 'ja' ? 'ja' : 'en';
    const team = self.name;
    const tlp = tlpLabel(isTlpLevel(n.tlp) ? n.tlp : 'amber');
    const rendered = renderTemplate(
      FEED_NOTIFICATION_TEMPLATE,
      language,
      {
        team,
        name: (language === 'ja' ? n.org_name_ja : null) ?? n.org_name ?? n.recipient,
        reference: n.key,
        count: String(events.length),
        withheld: withheldNote(language, n.withheld_count),
        format: format === 'xarf' ? 'X-ARF 0.2' : 'CSV',
        filename: files.map((f) => f.filename).join(', '),
        summary: notificationSummary(language, events),
      },
      tlp,
    );
    const ctx = systemContext('feeds.notify');
    let prepared: PreparedMail;
    try {
      // X-ARF wants the human text as its first part, so it goes without the HTML alternative.
      prepared = await deps.mail().prepareSend(ctx, {
        to: n.recipient,
        subject: rendered.subject,
        text: rendered.text,
        html: format === 'xarf' ? undefined : rendered.html,
        tlp,
        attachments: files,
        headers,
      });
    } catch (error) {
      await db
        .updateTable('feed_notifications')
        .set({ state: 'failed', attachment_sha256: stored.sha256, error: (error instanceof Error ? error.message : String(error)).slice(0, 1000) })
        .where('id', '=', n.id)
        .where('state', '=', 'pending')
        .execute();
      return (await getNotificationRow(notificationId))!;
    }
    // The outbox row and the notification's state commit together: a crash leaves neither or both.
    await db.transaction().execute(async (trx) => {
      const still = await trx.selectFrom('feed_notifications').select('state').where('id', '=', n.id).forUpdate().executeTakeFirst();
      // Another run queued it meanwhile: this one's composed copy is dropped (its blobs are shared and harmless).
      if (still?.state !== 'pending') return;
      const message = await deps.mail().queue(trx, ctx, prepared);
      await trx
        .updateTable('feed_notifications')
        .set({
          state: 'queued',
          attachment_sha256: stored.sha256,
          mail_message_id: message.id,
          thread_id: message.threadId,
          queued_at: new Date(),
          error: null,
        })
        .where('id', '=', n.id)
        .execute();
    });
    return (await getNotificationRow(notificationId))!;
  }

  async function getNotificationRow(id: string, scope: Scope = ALL): Promise<FeedNotification | null> {
    const row = await db
      .selectFrom('feed_notifications')
      .selectAll()
      .where('id', '=', id)
      .where(scopeWhere(scope, { organisation: sql.ref('organisation_id') }))
      .executeTakeFirst();
    return row ? presentNotification(row) : null;
  }

  /** Links a recipient's pending events to a new notification (one transaction, serialised per recipient). */
  async function openNotification(recipient: string, now: Date, force: boolean): Promise<string | null> {
    return db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`feeds.notify:${recipient}`}))`.execute(trx);
      const org = await trx
        .selectFrom('feed_events as e')
        .innerJoin('organisations as o', 'o.id', 'e.organisation_id')
        .leftJoin('feed_recipient_settings as s', 's.organisation_id', 'o.id')
        .select(['o.id', 'o.preferred_format', 'o.tlp_ceiling', 'o.languages', 's.interval_minutes', 's.format', 's.paused'])
        .where('e.recipient', '=', recipient)
        .where('e.notification_id', 'is', null)
        .limit(1)
        .executeTakeFirst();
      if (!org || org.paused) return null;
      const last = await trx
        .selectFrom('feed_notifications')
        .select('created_at')
        .where('recipient', '=', recipient)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      const interval = (org.interval_minutes ?? 1440) * 60_000;
      if (!force && last && now.getTime() - last.created_at.getTime() < interval) return null;
      const format = org.format ?? (org.preferred_format === 'xarf' ? 'xarf' : 'csv');
      const language = org.languages.find((l) => l === 'ja' || l === 'en') ?? 'en';
      const ceiling = isTlpLevel(org.tlp_ceiling) ? org.tlp_ceiling : 'amber';
      const seq = await sql<{ n: number }>`SELECT nextval('feed_notification_key_seq')::int AS n`.execute(trx);
      const key = `FN-${now.getUTCFullYear()}-${String(seq.rows[0]!.n).padStart(6, '0')}`;
      const created = await trx
        .insertInto('feed_notifications')
        .values({
          key,
          organisation_id: org.id,
          recipient,
          format,
          language,
          tlp_ceiling: ceiling,
          tlp: null,
          state: 'pending',
          error: null,
          attachment_sha256: null,
          mail_message_id: null,
          thread_id: null,
          queued_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      // An event whose TLP is above the ceiling, or not a TLP level at all, is withheld.
      const rank = tlpRankSql(sql.ref('tlp'));
      await sql`
        UPDATE feed_events SET notification_id = ${created.id}, withheld = ${tlpAtMost(sql.ref('tlp'), ceiling)} IS NOT TRUE
        WHERE id IN (SELECT id FROM feed_events WHERE recipient = ${recipient} AND notification_id IS NULL ORDER BY id LIMIT ${options.maxEventsPerNotification})`.execute(
        trx,
      );
      const totals = await sql<{ sent: number; withheld: number; top: number | null }>`
        SELECT count(*) FILTER (WHERE NOT withheld)::int AS sent, count(*) FILTER (WHERE withheld)::int AS withheld, max(${rank}) FILTER (WHERE NOT withheld) AS top
        FROM feed_events WHERE notification_id = ${created.id}`.execute(trx);
      const t = totals.rows[0]!;
      await trx
        .updateTable('feed_notifications')
        .set({ event_count: t.sent, withheld_count: t.withheld, tlp: tlpOfRank(t.top) })
        .where('id', '=', created.id)
        .execute();
      await recordAudit(trx, systemContext('feeds.notify'), {
        action: 'feeds.notification.create',
        targetType: 'feed_notification',
        targetId: created.id,
        after: { key, recipient, format, language, tlpCeiling: ceiling, events: t.sent, withheld: t.withheld },
      });
      return created.id;
    });
  }

  return {
    /** Ingests a file (gzip accepted); the original is kept in the blob store when it fits the blob limit. */
    async ingestFile(ctx: RequestContext, filePath: string, request: IngestRequest): Promise<IngestSummary> {
      feedsPolicy.authorize(ctx.actor, 'ingest');
      const stat = fs.statSync(filePath);
      const originalSha256 = stat.size <= deps.blobLimitBytes ? (await blobs.put(fs.createReadStream(filePath))).sha256 : null;
      const gz = looksGzip(filePath);
      return runIngest(ctx, {
        origin: path.basename(filePath).replace(/\.gz$/i, ''),
        sourceId: null,
        originalSha256,
        totalBytes: stat.size,
        request,
        open: () => gunzipped(fs.createReadStream(filePath, { highWaterMark: 1 << 20 }), gz),
      });
    },

    /** Ingests bytes already in memory or a stream (the API's upload, tests). */
    async ingestBuffer(ctx: RequestContext, origin: string, content: Buffer, request: IngestRequest): Promise<IngestSummary> {
      feedsPolicy.authorize(ctx.actor, 'ingest');
      const originalSha256 = content.length <= deps.blobLimitBytes ? (await blobs.put(once(content))).sha256 : null;
      const gz = content[0] === 0x1f && content[1] === 0x8b;
      return runIngest(ctx, {
        origin,
        sourceId: null,
        originalSha256,
        totalBytes: content.length,
        request,
        open: () => gunzipped(chunks(content, 1 << 20), gz),
      });
    },

    /** The fetch job: downloads a source's URL (bounded in time and size) into the blob store, then ingests it. */
    async fetchSource(sourceId: string, signal?: AbortSignal): Promise<IngestSummary | { skipped: string }> {
      const source = await db
        .selectFrom('feed_sources as s')
        .leftJoin('feed_mappings as m', 'm.id', 's.mapping_id')
        .select(['s.id', 's.name', 's.url', 's.format', 's.report_type', 's.tlp', 's.enabled', 'm.name as mapping_name'])
        .where('s.id', '=', sourceId)
        .executeTakeFirst();
      if (!source || !source.enabled) return { skipped: 'no such enabled source' };
      const ctx = systemContext(`feeds.fetch:${source.name}`);
      const markStatus = (status: string) =>
        db
          .updateTable('feed_sources')
          .set({ last_fetched_at: new Date(), last_status: status.slice(0, 500) })
          .where('id', '=', source.id)
          .execute();
      let stored;
      let fileName: string;
      try {
        const timeout = AbortSignal.timeout(options.fetchTimeoutMs);
        const response = await fetch(source.url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, redirect: 'follow' });
        if (response.status !== 200 || !response.body) throw new Error(`HTTP ${response.status}`);
        const declared = Number(response.headers.get('content-length') ?? 0);
        if (declared > options.maxFetchBytes) throw new Error(`the feed is ${declared} bytes, over the limit of ${options.maxFetchBytes}`);
        const disposition = /filename="?([^";]+)"?/i.exec(response.headers.get('content-disposition') ?? '')?.[1];
        fileName = disposition ?? decodeURIComponent(new URL(response.url || source.url).pathname.split('/').pop() || source.name);
        stored = await blobs.put(Readable.fromWeb(response.body as never) as AsyncIterable<Buffer>, { maxBytes: options.maxFetchBytes });
      } catch (error) {
        await markStatus(`fetch failed: ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      }
      const sha256 = stored.sha256;
      try {
        const first = await firstBytes(await blobs.open(sha256), 2);
        const gz = first[0] === 0x1f && first[1] === 0x8b;
        const summary = await runIngest(ctx, {
          origin: fileName.replace(/\.gz$/i, ''),
          sourceId: source.id,
          originalSha256: sha256,
          totalBytes: stored.size,
          request: {
            format: source.format as 'shadowserver' | 'csv',
            mapping: source.mapping_name ?? undefined,
            reportType: source.report_type ?? undefined,
            tlp: isTlpLevel(source.tlp) ? source.tlp : 'amber',
          },
          open: () => gunzipped(streamOf(blobs.open(sha256)), gz),
        });
        await markStatus(summary.state === 'completed' ? 'ok' : `failed: ${summary.error}`);
        return summary;
      } catch (error) {
        await markStatus(`ingest failed: ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      }
    },

    /** Sources whose interval has passed since their last fetch. */
    async dueSources(now = new Date()): Promise<string[]> {
      const rows = await db
        .selectFrom('feed_sources')
        .select('id')
        .where('enabled', '=', true)
        .where((eb) =>
          eb.or([eb('last_fetched_at', 'is', null), eb('last_fetched_at', '<=', sql<Date>`${now}::timestamptz - make_interval(mins => interval_minutes)`)]),
        )
        .execute();
      return rows.map((r) => r.id);
    },

    /**
     * The notification job: first delivers notifications left pending (a worker died between linking and
     * sending), then opens one per recipient whose interval has passed (all of them with `force`) and delivers it.
     */
    async notifyDue(ctx: RequestContext, input: { force?: boolean; now?: Date } = {}): Promise<{ notifications: FeedNotification[] }> {
      feedsPolicy.authorize(ctx.actor, 'notifications.send');
      const now = input.now ?? new Date();
      const out: FeedNotification[] = [];
      const leftover = await db.selectFrom('feed_notifications').select('id').where('state', '=', 'pending').orderBy('created_at').execute();
      for (const { id } of leftover) out.push(await deliver(id));
      const recipients = await db
        .selectFrom('feed_events')
        .select('recipient')
        .distinct()
        .where('notification_id', 'is', null)
        .where('recipient', 'is not', null)
        .execute();
      for (const { recipient } of recipients) {
        const id = await openNotification(recipient!, now, input.force ?? false);
        if (id) out.push(await deliver(id));
      }
      return { notifications: out };
    },

    async listRuns(ctx: RequestContext, page: { offset: number; limit: number }): Promise<{ items: FeedRun[]; total: number }> {
      const { items, total } = await listRuns(db, page, feedsPolicy.listScope(ctx.actor, 'runs.read'));
      return { items: items.map(presentRun), total };
    },

    async getRun(ctx: RequestContext, id: string): Promise<FeedRunDetail> {
      const notFound = () => new NotFoundError('feed_run_not_found', 'No such feed run');
      const run = await findRun(db, id, feedsPolicy.detailScope(ctx.actor, 'runs.read', notFound));
      if (!run) throw notFound();
      return { ...presentRun(run), rejects: await listRejects(db, id, 1000) };
    },

    async listEvents(ctx: RequestContext, query: FeedEventQuery): Promise<FeedEventPage> {
      const scope = feedsPolicy.listScope(ctx.actor, 'events.read');
      const limit = query.limit ?? 100;
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
      const rows = await q
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(presentEvent);
      return { items, next: rows.length > limit ? items[items.length - 1]!.id : null };
    },

    async listNotifications(
      ctx: RequestContext,
      filter: { recipient?: string | undefined; state?: string | undefined },
      page: { offset: number; limit: number },
    ): Promise<{ items: FeedNotification[]; total: number }> {
      const scope = feedsPolicy.listScope(ctx.actor, 'notifications.read');
      let q = db.selectFrom('feed_notifications').where(scopeWhere(scope, { organisation: sql.ref('organisation_id') }));
      if (filter.recipient) q = q.where('recipient', '=', filter.recipient.toLowerCase());
      if (filter.state) q = q.where('state', '=', filter.state);
      const [rows, count] = await Promise.all([
        q.selectAll().orderBy('created_at', 'desc').orderBy('id').offset(page.offset).limit(page.limit).execute(),
        q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(presentNotification), total: Number(count.n) };
    },

    async getNotification(ctx: RequestContext, id: string): Promise<FeedNotificationDetail> {
      const notFound = () => new NotFoundError('feed_notification_not_found', 'No such notification');
      const notification = await getNotificationRow(id, feedsPolicy.detailScope(ctx.actor, 'notifications.read', notFound));
      if (!notification) throw notFound();
      const events = await db.selectFrom('feed_events').select(EVENT_COLUMNS).where('notification_id', '=', id).orderBy('id').limit(100).execute();
      const replies = notification.threadId ? (await deps.mail().listMessages(ctx, { threadId: notification.threadId }, { offset: 0, limit: 100 })).items : [];
      return {
        ...notification,
        events: events.map(presentEvent),
        replies: replies.map((m) => ({
          id: m.id,
          direction: m.direction,
          subject: m.subject,
          fromAddress: m.fromAddress,
          receivedAt: m.receivedAt.toISOString(),
        })),
      };
    },

    /** The notification's report file (CSV or X-ARF) as it was mailed. */
    async openNotificationFile(ctx: RequestContext, id: string): Promise<{ fileName: string; stream: Readable }> {
      const notFound = () => new NotFoundError('feed_notification_file_not_found', 'This notification has no file (yet)');
      const n = await getNotificationRow(id, feedsPolicy.detailScope(ctx.actor, 'notifications.read', notFound));
      if (!n?.attachmentSha256) throw notFound();
      return { fileName: `${n.key}.${n.format === 'xarf' ? 'xarf.yaml' : 'csv'}`, stream: await blobs.open(n.attachmentSha256) };
    },

    async listMappings(ctx: RequestContext): Promise<FeedMapping[]> {
      const scope = feedsPolicy.listScope(ctx.actor, 'mappings.read');
      return (await db.selectFrom('feed_mappings').selectAll().where(scopeWhere(scope)).orderBy('name').execute()).map(presentMapping);
    },

    async getMapping(ctx: RequestContext, name: string): Promise<FeedMapping> {
      const notFound = () => new NotFoundError('feed_mapping_not_found', 'No such mapping');
      const scope = feedsPolicy.detailScope(ctx.actor, 'mappings.read', notFound);
      const row = await db.selectFrom('feed_mappings').selectAll().where('name', '=', name).where(scopeWhere(scope)).executeTakeFirst();
      if (!row) throw notFound();
      return presentMapping(row);
    },

    /** Creates a mapping, or replaces the one of that name with `replace`. */
    async saveMapping(ctx: RequestContext, input: FeedMappingInput, saveOptions: { replace?: boolean } = {}): Promise<FeedMapping> {
      feedsPolicy.authorize(ctx.actor, 'mappings.write');
      const columns = validateMapping(input);
      const values = { name: input.name, columns: JSON.stringify(columns), taxonomy: input.taxonomy, type: input.type, tlp: input.tlp ?? 'amber' };
      return db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('feed_mappings').selectAll().where('name', '=', input.name).forUpdate().executeTakeFirst();
        if (existing && !saveOptions.replace) throw new ConflictError('feed_mapping_exists', `A mapping named "${input.name}" exists`);
        const row = existing
          ? await trx
              .updateTable('feed_mappings')
              .set({ ...values, updated_at: new Date() })
              .where('id', '=', existing.id)
              .returningAll()
              .executeTakeFirstOrThrow()
          : await trx.insertInto('feed_mappings').values(values).returningAll().executeTakeFirstOrThrow();
        await recordAudit(trx, ctx, {
          action: existing ? 'feeds.mapping.update' : 'feeds.mapping.create',
          targetType: 'feed_mapping',
          targetId: row.id,
          before: existing ? presentMapping(existing) : null,
          after: presentMapping(row),
        });
        return presentMapping(row);
      });
    },

    async deleteMapping(ctx: RequestContext, name: string): Promise<void> {
      feedsPolicy.authorize(ctx.actor, 'mappings.write');
      await db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('feed_mappings').selectAll().where('name', '=', name).forUpdate().executeTakeFirst();
        if (!existing) throw new NotFoundError('feed_mapping_not_found', 'No such mapping');
        const used = await trx.selectFrom('feed_sources').select('name').where('mapping_id', '=', existing.id).executeTakeFirst();
        if (used) throw new ConflictError('feed_mapping_in_use', `The source "${used.name}" uses this mapping`);
        await trx.deleteFrom('feed_mappings').where('id', '=', existing.id).execute();
        await recordAudit(trx, ctx, {
          action: 'feeds.mapping.delete',
          targetType: 'feed_mapping',
          targetId: existing.id,
          before: presentMapping(existing),
          after: null,
        });
      });
    },

    async listSources(ctx: RequestContext): Promise<FeedSource[]> {
      const scope = feedsPolicy.listScope(ctx.actor, 'sources.read');
      return (await db.selectFrom('feed_sources').selectAll().where(scopeWhere(scope)).orderBy('name').execute()).map(presentSource);
    },

    async addSource(ctx: RequestContext, input: FeedSourceInput): Promise<FeedSource> {
      feedsPolicy.authorize(ctx.actor, 'sources.write');
      return db.transaction().execute(async (trx) => {
        let mappingId: string | null = null;
        if (input.format === 'csv') {
          if (!input.mapping) throw new BadRequestError('feed_mapping_required', 'A generic CSV source needs a mapping');
          const mapping = await trx.selectFrom('feed_mappings').select('id').where('name', '=', input.mapping).executeTakeFirst();
          if (!mapping) throw new NotFoundError('feed_mapping_not_found', `No mapping named "${input.mapping}"`);
          mappingId = mapping.id;
        }
        if (await trx.selectFrom('feed_sources').select('id').where('name', '=', input.name).executeTakeFirst())
          throw new ConflictError('feed_source_exists', `A source named "${input.name}" exists`);
        const row = await trx
          .insertInto('feed_sources')
          .values({
            name: input.name,
            url: input.url,
            format: input.format,
            mapping_id: mappingId,
            report_type: input.reportType ?? null,
            tlp: input.tlp ?? 'amber',
            interval_minutes: input.intervalMinutes ?? 1440,
            last_fetched_at: null,
            last_status: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordAudit(trx, ctx, { action: 'feeds.source.create', targetType: 'feed_source', targetId: row.id, after: presentSource(row) });
        return presentSource(row);
      });
    },

    async deleteSource(ctx: RequestContext, id: string): Promise<void> {
      feedsPolicy.authorize(ctx.actor, 'sources.write');
      await db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('feed_sources').selectAll().where('id', '=', id).executeTakeFirst();
        if (!row) throw new NotFoundError('feed_source_not_found', 'No such source');
        await trx.deleteFrom('feed_sources').where('id', '=', id).execute();
        await recordAudit(trx, ctx, { action: 'feeds.source.delete', targetType: 'feed_source', targetId: id, before: presentSource(row), after: null });
      });
    },

    /** Sets how often, and in which format, an organisation hears from us. */
    async setRecipientSettings(
      ctx: RequestContext,
      organisationId: string,
      settings: { intervalMinutes: number; format?: 'csv' | 'xarf' | null; paused?: boolean },
    ): Promise<void> {
      feedsPolicy.authorize(ctx.actor, 'notifications.send');
      if (!Number.isInteger(settings.intervalMinutes) || settings.intervalMinutes < 5 || settings.intervalMinutes > 44640)
        throw new BadRequestError('invalid_interval', 'The interval must be 5 minutes to 31 days');
      const values = { interval_minutes: settings.intervalMinutes, format: settings.format ?? null, paused: settings.paused ?? false };
      await db
        .insertInto('feed_recipient_settings')
        .values({ organisation_id: organisationId, ...values })
        .onConflict((oc) => oc.column('organisation_id').doUpdateSet(values))
        .execute();
    },
  };
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
type EventRow = Pick<Selectable<Schema['feed_events']>, (typeof EVENT_COLUMNS)[number]>;

function presentEvent(r: EventRow): FeedEvent {
  return {
    id: Number(r.id),
    runId: r.run_id,
    source: r.source,
    reportType: r.report_type,
    taxonomy: r.taxonomy,
    type: r.type,
    observedAt: r.observed_at.toISOString(),
    ip: r.ip,
    port: r.port,
    protocol: r.protocol,
    hostname: r.hostname,
    tag: r.tag,
    asn: r.asn === null ? null : Number(r.asn),
    country: r.country,
    organisationId: r.organisation_id,
    recipient: r.recipient,
    tlp: r.tlp,
    line: r.line,
    extra: r.extra,
    notificationId: r.notification_id,
    withheld: r.withheld,
  };
}

function presentRun(r: RunSummaryRow): FeedRun {
  return {
    id: r.id,
    origin: r.origin,
    format: r.format,
    mappingName: r.mappingName,
    originalSha256: r.originalSha256,
    state: r.state,
    error: r.error,
    rowsRead: r.rowsRead,
    eventsStored: r.eventsStored,
    duplicates: r.duplicates,
    rejected: r.rejected,
    bytesRead: r.bytesRead,
    seconds: r.seconds,
    eventsPerSecond: r.seconds > 0 ? Math.round(r.rowsRead / r.seconds) : 0,
    startedBy: r.startedBy,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
  };
}

function presentNotification(r: {
  id: string;
  key: string;
  organisation_id: string | null;
  recipient: string;
  format: string;
  language: string;
  tlp_ceiling: string;
  tlp: string | null;
  event_count: number;
  withheld_count: number;
  state: string;
  error: string | null;
  attachment_sha256: string | null;
  mail_message_id: string | null;
  thread_id: string | null;
  created_at: Date;
  queued_at: Date | null;
}): FeedNotification {
  return {
    id: r.id,
    key: r.key,
    organisationId: r.organisation_id,
    recipient: r.recipient,
    format: r.format,
    language: r.language,
    tlpCeiling: r.tlp_ceiling,
    tlp: r.tlp,
    eventCount: r.event_count,
    withheldCount: r.withheld_count,
    state: r.state,
    error: r.error,
    attachmentSha256: r.attachment_sha256,
    mailMessageId: r.mail_message_id,
    threadId: r.thread_id,
    createdAt: r.created_at.toISOString(),
    queuedAt: r.queued_at ? r.queued_at.toISOString() : null,
  };
}

function presentMapping(r: {
  id: string;
  name: string;
  columns: Record<string, string>;
  taxonomy: string;
  type: string;
  tlp: string;
  created_at: Date;
  updated_at: Date;
}): FeedMapping {
  return {
    id: r.id,
    name: r.name,
    columns: r.columns,
    taxonomy: r.taxonomy,
    type: r.type,
    tlp: r.tlp,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function presentSource(r: {
  id: string;
  name: string;
  url: string;
  format: string;
  mapping_id: string | null;
  report_type: string | null;
  tlp: string;
  interval_minutes: number;
  enabled: boolean;
  last_fetched_at: Date | null;
  last_status: string | null;
}): FeedSource {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    format: r.format,
    mappingId: r.mapping_id,
    reportType: r.report_type,
    tlp: r.tlp,
    intervalMinutes: r.interval_minutes,
    enabled: r.enabled,
    lastFetchedAt: r.last_fetched_at ? r.last_fetched_at.toISOString() : null,
    lastStatus: r.last_status,
  };
}

/** A mapping's columns, lower-cased and checked: known fields, one ip and one time column, an RSIT class. */
export function validateMapping(input: FeedMappingInput): Record<string, EventField> {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(input.name))
    throw new BadRequestError('invalid_mapping_name', 'A mapping name is 1-64 lower-case letters, digits, ".", "_" or "-"');
  if (!isRsit({ taxonomy: input.taxonomy, type: input.type }))
    throw new BadRequestError(
      'invalid_classification',
      `"${String(input.taxonomy).slice(0, 60)}/${String(input.type).slice(0, 60)}" is not an RSIT class (see the incident taxonomy)`,
    );
  if (input.tlp !== undefined && !isTlpLevel(input.tlp)) throw new BadRequestError('invalid_tlp', `TLP must be one of ${TLP_LEVELS.join(', ')}`);
  const entries = Object.entries(input.columns ?? {});
  if (entries.length === 0 || entries.length > 500) throw new BadRequestError('invalid_mapping', 'A mapping names 1 to 500 columns');
  const columns: Record<string, EventField> = {};
  for (const [column, field] of entries) {
    if (!(EVENT_FIELDS as readonly string[]).includes(field))
      throw new BadRequestError(
        'invalid_mapping',
        `"${column.slice(0, 60)}" maps to "${String(field).slice(0, 40)}", which is not one of ${EVENT_FIELDS.join(', ')}`,
      );
    const key = column.trim().toLowerCase();
    if (key === '' || key.length > 200) throw new BadRequestError('invalid_mapping', 'Column names are 1-200 characters');
    if (key === '__proto__' || key === 'constructor' || key === 'prototype')
      throw new BadRequestError('invalid_mapping', `"${key}" cannot be a column name here`);
    columns[key] = field as EventField;
  }
  for (const needed of ['ip', 'time'] as const) {
    const count = Object.values(columns).filter((f) => f === needed).length;
    if (count !== 1) throw new BadRequestError('invalid_mapping', `A mapping needs exactly one column mapped to "${needed}" (found ${count})`);
  }
  return columns;
}

async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function* streamOf(opening: Promise<Readable>): AsyncGenerator<Buffer> {
  for await (const chunk of await opening) yield chunk as Buffer;
}

async function firstBytes(stream: Readable, count: number): Promise<Buffer> {
  for await (const chunk of stream) {
    stream.destroy();
    return (chunk as Buffer).subarray(0, count);
  }
  return Buffer.alloc(0);
}
