import type { FeedsDeps, FeedsServiceOptions } from './feeds.types.ts';
import { createIngestRunner, createIngestService } from './ingest.service.ts';
import { createMappingsService } from './mappings.service.ts';
import { createNotificationsService } from './notifications.service.ts';
import { createSourcesService } from './sources.service.ts';

export { FeedFormatError, type FeedsServiceOptions, type IngestRequest, type IngestSummary } from './feeds.types.ts';
export { validateMapping } from './mappings.service.ts';

export type FeedsService = ReturnType<typeof createFeedsService>;

/**
 * Feeds: ingest runs (files, fetched URLs) through the bulk pipeline, saved mappings and sources, the
 * events, and notifications grouped per recipient and sent through the mail service. Each capability is
 * its own module (`ingest.service.ts`, `sources.service.ts`, `notifications.service.ts`,
 * `mappings.service.ts`); this is the one facade the routes, jobs and CLI use.
 * @example const summary = await feeds.ingestFile(ctx, '2026-11-26-scan_ntp-jp.csv', { format: 'shadowserver' });
 */
export function createFeedsService(deps: FeedsDeps, options: FeedsServiceOptions) {
  const runIngest = createIngestRunner(deps, options);
  return {
    ...createIngestService(deps, runIngest),
    ...createSourcesService(deps, options, runIngest),
    ...createNotificationsService(deps, options),
    ...createMappingsService(deps),
  };
}
