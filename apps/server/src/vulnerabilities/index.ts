// The vulnerabilities domain's manifest: finders' reports, cases, vendors and their statuses, embargoes
// (the Early Warning Partnership flow).
export { type VulnerabilitiesService, createVulnerabilitiesService } from './vulnerabilities.service.ts';
export { vulnerabilitiesRoutes } from './vulnerabilities.routes.ts';
export { registerVulnerabilitiesCommands } from './vulnerabilities.cli.ts';
