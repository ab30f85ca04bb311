// The audit domain's manifest: the hash-chained log every domain writes in its own transaction.
export { type AuditService, createAuditService, recordAudit, verifyAuditChain } from './audit.service.ts';
export { auditRoutes } from './audit.routes.ts';
export { checkpointFiles, verifyAuditCheckpoints, writeAuditCheckpoint } from './audit-checkpoint.ts';
export { auditJobDefinitions } from './audit.jobs.ts';
