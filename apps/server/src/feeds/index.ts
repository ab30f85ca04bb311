// The feeds domain's manifest: bulk feed ingest, sources, mappings, notifications per recipient.
export { type FeedsService, createFeedsService } from './feeds.service.ts';
export { feedsRoutes } from './feeds.routes.ts';
export { FETCH_SOURCE_JOB, feedsJobDefinitions } from './feeds.jobs.ts';
export { registerFeedsCommands } from './feeds.cli.ts';
