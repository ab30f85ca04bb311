// The health domain's manifest: `GET /api/v1/health`.
export { healthRoutes } from './health.routes.ts';
