// The statistics domain's manifest: a read model over the incidents tables (declared; no tables of its own).
export { type StatisticsService, createStatisticsService } from './statistics.service.ts';
export { statisticsRoutes } from './statistics.routes.ts';
// Public routes: `/statistics`.
export { statisticsPortalRoutes } from './statistics-portal.routes.ts';
// The public page's ja/en strings (their parity is tested with the other catalogues in portal/).
export { STATISTICS_PAGE_STRINGS } from './statistics-portal.strings.ts';
// The team's months and fiscal quarters, for other domains' figures (vulnerability case dates).
export { monthOfInstant, quarterOf } from './periods.ts';
