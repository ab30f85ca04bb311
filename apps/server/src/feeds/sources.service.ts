import type { FeedSource, FeedSourceInput } from '@renkei/contract';
import { isTlpLevel } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import { boundedOpen } from '../kernel/bounded-fetch.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../kernel/errors.ts';
import { FetchRefusedError, checkDestination } from '../kernel/fetch-guard.ts';
import { type RequestContext, actorLabel, systemContext } from '../policy/actor.ts';
import { insertRun, markRunFailed } from './feeds.repository.ts';
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
        const opened = await boundedOpen(source.url, {
          timeoutMs: options.fetchTimeoutMs,
          maxBytes: options.maxFetchBytes,
          maxRedirects: 5,
          guard: options.fetchGuard,
          accept: '*/*',
          userAgent: 'Renkei feed fetch',
          ...(signal ? { signal } : {}),
        });
        if (opened.status === 'failed' && opened.refused) {
          // Not retried: the destination is refused until the operator allows it (RENKEI_FETCH_ALLOW).
          const runId = await insertRun(db, {
            origin: source.url.slice(0, 1000),
            sourceId: source.id,
            format: source.format,
            mappingName: source.mappingName,
            originalSha256: null,
            startedBy: actorLabel(ctx.actor),
          });
          await markRunFailed(db, runId, opened.refused.message.slice(0, 2000), 0);
          await markStatus(`fetch refused: ${opened.refused.message}`);
          return { skipped: opened.refused.message };
        }
        if (opened.status !== 'answered') throw new Error(opened.detail);
        if (opened.statusCode !== 200) {
          opened.body.destroy();
          throw new Error(`HTTP ${opened.statusCode}`);
        }
        const disposition = /filename="?([^";]+)"?/i.exec(String(opened.headers['content-disposition'] ?? ''))?.[1];
        fileName = disposition ?? decodeURIComponent(new URL(opened.url).pathname.split('/').pop() || source.name);
        stored = await blobs.put(opened.body, { maxBytes: options.maxFetchBytes });
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
      await refuseInternalUrl(input.url, options);
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

/**
 * Refuses a source URL whose destination is internal now (422 fetch_refused), so the mistake is seen
 * when the source is added; each fetch checks again, since a name may resolve elsewhere later. A name
 * that does not resolve now is accepted: the fetch records what happens.
 */
async function refuseInternalUrl(url: string, options: FeedsServiceOptions): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BadRequestError('feed_source_url_invalid', 'The source URL is not a URL');
  }
  try {
    await checkDestination(parsed, options.fetchGuard);
  } catch (error) {
    if (error instanceof FetchRefusedError) throw error;
  }
}
