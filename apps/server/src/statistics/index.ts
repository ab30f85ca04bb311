// The statistics domain's manifest: a read model over the incidents tables (declared; no tables of its own).
export { type StatisticsService, createStatisticsService } from './statistics.service.ts';
export { statisticsRoutes } from './statistics.routes.ts';
// Public routes: `/statistics`.
export { statisticsPortalRoutes } from './statistics-portal.routes.ts';
