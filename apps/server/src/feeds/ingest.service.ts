import fs from 'node:fs';
import path from 'node:path';
import type { FeedEventPage, FeedEventQuery, FeedRun, FeedRunDetail, TlpLevel } from '@renkei/contract';
import { isTlpLevel } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import { BadRequestError, NotFoundError } from '../kernel/errors.ts';
import { type RequestContext, actorLabel } from '../policy/actor.ts';
import { reportTypeFromFileName } from './classification.ts';
import { chunks, gunzipped, isGzipHead, looksGzip, once } from './feed-streams.ts';
import { failAbandonedRuns, findRun, finishRun, insertRun, listEventRows, listRejects, listRuns, markRunFailed } from './feeds.repository.ts';
import { feedsPolicy } from './feeds.policy.ts';
import { presentEvent, presentRun } from './feeds.presenter.ts';
import { FeedFormatError, type FeedsDeps, type FeedsServiceOptions, type IngestRequest, type IngestSummary } from './feeds.types.ts';
import { type FeedReading, type IngestProgress, ingestStream } from './ingest.ts';
import { findMapping } from './mappings.repository.ts';
import type { EventField } from './row-mapper.ts';

/** A running run's process touches it every few seconds; this long a silence means the process is gone. */
export const ABANDONED_AFTER_MINUTES = 30;

export interface IngestInput {
  origin: string;
  sourceId: string | null;
  originalSha256: string | null;
  totalBytes: number;
  open: () => AsyncIterable<Buffer>;
  request: IngestRequest;
}

export type RunIngest = (ctx: RequestContext, input: IngestInput) => Promise<IngestSummary>;

/**
 * The pipeline entry shared by uploads, files and fetched sources: one run of the bulk pipeline.
 * @example const summary = await createIngestRunner(deps, options)(ctx, { origin: 'scan.csv', sourceId: null, originalSha256: null, totalBytes: bytes.length, request: { format: 'shadowserver' }, open: () => once(bytes) });
 */
export function createIngestRunner(deps: FeedsDeps, options: FeedsServiceOptions): RunIngest {
  const { db, network } = deps;

  async function readingFor(
    request: { format: 'shadowserver' | 'csv'; mapping?: string | undefined; reportType?: string | undefined },
    fileName: string,
  ): Promise<{ reading: FeedReading; tlp: TlpLevel | null }> {
    if (request.format === 'shadowserver') {
      const reportType = request.reportType ?? reportTypeFromFileName(fileName) ?? 'unknown';
      return { reading: { format: 'shadowserver', reportType }, tlp: null };
    }
    if (!request.mapping) throw new BadRequestError('feed_mapping_required', 'A generic CSV feed needs a saved mapping (--mapping NAME)');
    const mapping = await findMapping(db, request.mapping);
    if (!mapping) throw new NotFoundError('feed_mapping_not_found', `No mapping named "${request.mapping.slice(0, 80)}"`);
    return {
      reading: {
        format: 'csv',
        mapping: { name: mapping.name, columns: mapping.columns as Record<string, EventField>, taxonomy: mapping.taxonomy, type: mapping.type },
      },
      tlp: isTlpLevel(mapping.tlp) ? mapping.tlp : null,
    };
  }

  /** Runs one input through the pipeline: a run row, the events, the counts and the audit record. */
  async function runIngest(ctx: RequestContext, input: IngestInput): Promise<IngestSummary> {
    const { reading, tlp: mappingTlp } = await readingFor(input.request, input.origin);
    const tlp = input.request.tlp ?? mappingTlp ?? 'amber';
    const runId = await insertRun(db, {
      origin: input.origin.slice(0, 1000),
      sourceId: input.sourceId,
      format: input.request.format,
      mappingName: reading.format === 'csv' ? reading.mapping.name : null,
      originalSha256: input.originalSha256,
      startedBy: actorLabel(ctx.actor),
    });
    const started = process.hrtime.bigint();
    const resolver = await network.bulkResolver(ctx);
    let counts;
    try {
      counts = await ingestStream(db, runId, input.open(), resolver, {
        reading,
        tlp,
        batchSize: options.batchSize ?? (deps.engine === 'postgresql' ? 10_000 : 20_000),
        parallelInserts: deps.engine === 'postgresql' ? 2 : 1,
        ...(options.csvLimits ? { limits: options.csvLimits } : {}),
        ...(input.request.onProgress ? { onProgress: (p: IngestProgress) => input.request.onProgress!({ ...p, totalBytes: input.totalBytes }) } : {}),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await markRunFailed(db, runId, message.slice(0, 2000), Number(process.hrtime.bigint() - started) / 1e9);
      if ((error as { code?: string }).code?.startsWith('Z_') || /incorrect header check|unexpected end of file/i.test(message))
        throw new FeedFormatError(`The file is not valid gzip: ${message}`);
      throw error;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await db.transaction().execute(async (trx) => {
      await finishRun(trx, runId, { ...counts, seconds });
      await recordAudit(trx, ctx, {
        action: 'feeds.ingest',
        targetType: 'feed_run',
        targetId: runId,
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
    const summary = (await findRun(db, runId))!;
    return { ...presentRun(summary), originalNotKept: input.originalSha256 === null };
  }

  return runIngest;
}

/**
 * Ingest: runs of the bulk pipeline over files and buffers, and the runs and events they leave.
 * @example const summary = await createIngestService(deps, createIngestRunner(deps, options)).ingestFile(ctx, 'scan_ntp.csv', { format: 'shadowserver' });
 */
export function createIngestService(deps: FeedsDeps, runIngest: RunIngest) {
  const { db, blobs } = deps;

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
      const gz = isGzipHead(content);
      return runIngest(ctx, {
        origin,
        sourceId: null,
        originalSha256,
        totalBytes: content.length,
        request,
        open: () => gunzipped(chunks(content, 1 << 20), gz),
      });
    },

    async listRuns(ctx: RequestContext, page: { offset: number; limit: number }): Promise<{ items: FeedRun[]; total: number }> {
      const { items, total } = await listRuns(db, page, feedsPolicy.listScope(ctx.actor, 'runs.read'));
      return { items: items.map(presentRun), total };
    },

    /**
     * Fails the runs whose process died mid-way (no sign of life for `staleMinutes`) and removes their
     * events, each with an audit entry; the file can then be ingested again in full.
     */
    async failAbandonedRuns(ctx: RequestContext, staleMinutes = ABANDONED_AFTER_MINUTES): Promise<{ id: string; eventsRemoved: number }[]> {
      const failed = await failAbandonedRuns(db, staleMinutes);
      for (const run of failed)
        await db
          .transaction()
          .execute((trx) =>
            recordAudit(trx, ctx, { action: 'feeds.run_abandoned', targetType: 'feed_run', targetId: run.id, after: { eventsRemoved: run.eventsRemoved } }),
          );
      return failed;
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
      const rows = await listEventRows(db, query, limit, scope);
      const items = rows.slice(0, limit).map(presentEvent);
      return { items, next: rows.length > limit ? items[items.length - 1]!.id : null };
    },
  };
}
