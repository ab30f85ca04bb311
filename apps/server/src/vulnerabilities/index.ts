// The vulnerabilities domain's manifest: finders' reports, cases, vendors and their statuses, embargoes
// (the Early Warning Partnership flow).
export { type VulnerabilitiesService, createVulnerabilitiesService } from './vulnerabilities.service.ts';
export { vulnerabilitiesRoutes } from './vulnerabilities.routes.ts';
export { VULNERABILITY_INTAKE_MAIL_JOB, vulnerabilityJobDefinitions } from './vulnerabilities.jobs.ts';
export { isForVulnerabilityIntake } from './mail-intake.service.ts';
export { vulnerabilityPortalRoutes } from './vulnerability-portal.routes.ts';
export { vulnerabilityReportFileRoutes } from './report-files.routes.ts';
