import { Readable } from 'node:stream';
import type { FeedSource, FeedSourceInput } from '@renkei/contract';
import { isTlpLevel } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../kernel/errors.ts';
import { type RequestContext, systemContext } from '../policy/actor.ts';
import { firstBytes, gunzipped, isGzipHead, streamOf } from './feed-streams.ts';
import { feedsPolicy } from './feeds.policy.ts';
import { presentSource } from './feeds.presenter.ts';
import type { FeedsDeps, FeedsServiceOptions, IngestSummary } from './feeds.types.ts';
import type { RunIngest } from './ingest.service.ts';
import { mappingIdByName } from './mappings.repository.ts';
import {
  deleteSourceRow,
  dueSourceIds,
  findSource,
  findSourceToFetch,
  insertSource,
  listSourceRows,
  markSourceFetched,
  sourceNameTaken,
} from './sources.repository.ts';

/**
 * Sources: feed URLs fetched on a schedule (bounded in time and size) and ingested.
 * @example const summary = await createSourcesService(deps, options, runIngest).fetchSource(sourceId);
 */
export function createSourcesService(deps: FeedsDeps, options: FeedsServiceOptions, runIngest: RunIngest) {
  const { db, blobs } = deps;

  return {
    /** The fetch job: downloads a source's URL (bounded in time and size) into the blob store, then ingests it. */
    async fetchSource(sourceId: string, signal?: AbortSignal): Promise<IngestSummary | { skipped: string }> {
      const source = await findSourceToFetch(db, sourceId);
      if (!source || !source.enabled) return { skipped: 'no such enabled source' };
      const ctx = systemContext(`feeds.fetch:${source.name}`);
      const markStatus = (status: string) => markSourceFetched(db, source.id, status.slice(0, 500));
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
        const gz = isGzipHead(await firstBytes(await blobs.open(sha256), 2));
        const summary = await runIngest(ctx, {
          origin: fileName.replace(/\.gz$/i, ''),
          sourceId: source.id,
          originalSha256: sha256,
          totalBytes: stored.size,
          request: {
            format: source.format as 'shadowserver' | 'csv',
            mapping: source.mappingName ?? undefined,
            reportType: source.reportType ?? undefined,
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
      return dueSourceIds(db, now);
    },

    async listSources(ctx: RequestContext): Promise<FeedSource[]> {
      const scope = feedsPolicy.listScope(ctx.actor, 'sources.read');
      return (await listSourceRows(db, scope)).map(presentSource);
    },

    async addSource(ctx: RequestContext, input: FeedSourceInput): Promise<FeedSource> {
      feedsPolicy.authorize(ctx.actor, 'sources.write');
      return db.transaction().execute(async (trx) => {
        let mappingId: string | null = null;
        if (input.format === 'csv') {
          if (!input.mapping) throw new BadRequestError('feed_mapping_required', 'A generic CSV source needs a mapping');
          mappingId = await mappingIdByName(trx, input.mapping);
          if (!mappingId) throw new NotFoundError('feed_mapping_not_found', `No mapping named "${input.mapping}"`);
        }
        if (await sourceNameTaken(trx, input.name)) throw new ConflictError('feed_source_exists', `A source named "${input.name}" exists`);
        const row = await insertSource(trx, {
          name: input.name,
          url: input.url,
          format: input.format,
          mappingId,
          reportType: input.reportType ?? null,
          tlp: input.tlp ?? 'amber',
          intervalMinutes: input.intervalMinutes ?? 1440,
        });
        await recordAudit(trx, ctx, { action: 'feeds.source.create', targetType: 'feed_source', targetId: row.id, after: presentSource(row) });
        return presentSource(row);
      });
    },

    async deleteSource(ctx: RequestContext, id: string): Promise<void> {
      feedsPolicy.authorize(ctx.actor, 'sources.write');
      await db.transaction().execute(async (trx) => {
        const row = await findSource(trx, id);
        if (!row) throw new NotFoundError('feed_source_not_found', 'No such source');
        await deleteSourceRow(trx, id);
        await recordAudit(trx, ctx, { action: 'feeds.source.delete', targetType: 'feed_source', targetId: id, before: presentSource(row), after: null });
      });
    },
  };
}
