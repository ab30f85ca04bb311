// The vulnerabilities domain's manifest: finders' reports, cases, vendors and their statuses, embargoes
// (the Early Warning Partnership flow).
export { type VulnerabilitiesService, createVulnerabilitiesService } from './vulnerabilities.service.ts';
export { vulnerabilitiesRoutes } from './vulnerabilities.routes.ts';
export { CASE_MAIL_JOB, NOTIFY_PARTICIPANTS_JOB, VULNERABILITY_INTAKE_MAIL_JOB, vulnerabilitiesJobDefinitions } from './vulnerabilities.jobs.ts';
export { isCaseMail } from './case-mail-keys.ts';
export { PUBLISH_JOB } from './publication.ts';
export { DELIVER_WEBHOOK_JOB } from './webhook-events.ts';
export { signatureHeader } from './webhooks.service.ts';
export { isForVulnerabilityIntake } from './mail-intake.service.ts';
export { vulnerabilityPortalRoutes } from './vulnerability-portal.routes.ts';
export { vulnerabilityReportFileRoutes } from './report-files.routes.ts';
export { registerVulnerabilitiesCommands } from './vulnerabilities.cli.ts';
