// The incidents domain's manifest: reports → incidents → coordinations, the public report form.
export { type IncidentsService, createIncidentsService } from './incidents.service.ts';
export { incidentsRoutes } from './incidents.routes.ts';
// Public routes: `/report` and the reporter's status page.
export { reportPortalRoutes } from './report-portal.routes.ts';
export { INTAKE_MAIL_JOB, incidentJobDefinitions } from './incidents.jobs.ts';
// The public pages' ja/en strings (their parity is tested with the other catalogues in portal/).
export { REPORT_PAGE_STRINGS } from './report-portal.strings.ts';
