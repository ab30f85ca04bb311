import { accountsJobDefinitions } from '../accounts/index.ts';
import { auditJobDefinitions } from '../audit/index.ts';
import { type BlobStore, blobsJobDefinitions } from '../blobs/index.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { FETCH_SOURCE_JOB, type FeedsService, feedsJobDefinitions } from '../feeds/index.ts';
import { type IncidentsService, incidentJobDefinitions } from '../incidents/index.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { testJobDefinitions } from '../jobs/test-jobs.ts';
import { type MailService, mailJobDefinitions } from '../mail/index.ts';
import { type VulnerabilitiesService, vulnerabilitiesJobDefinitions } from '../vulnerabilities/index.ts';

/** What the jobs reach: the queue, the database and the domains that have jobs. `Services` is one. */
export interface JobDomains {
  jobs: JobQueue;
  database: Database;
  blobs: BlobStore;
  mail: MailService;
  incidents: IncidentsService;
  feeds: FeedsService;
  vulnerabilities: VulnerabilitiesService;
}

/**
 * Every kind of background job, in one place: each domain's manifest gives its jobs (and their
 * schedules), with handlers that reach the domain through its service. Cron schedules are UTC.
 */
export function registerJobs(services: JobDomains, config: Config): void {
  const { jobs, database } = services;
  const registrations = [
    ...accountsJobDefinitions(database.db),
    ...auditJobDefinitions(database.db, config.dataDir),
    ...blobsJobDefinitions(services.blobs),
    ...mailJobDefinitions(services.mail, {
      imapUrl: config.imapUrl,
      imapCron: config.imapPollCron,
      sendRetrySeconds: config.mailRetrySeconds,
      sendTimeoutSeconds: config.mailSendTimeoutSeconds,
    }),
    ...incidentJobDefinitions(services.incidents),
    ...vulnerabilitiesJobDefinitions(services.vulnerabilities, config.webhook),
    ...feedsJobDefinitions(services.feeds, (sourceId) => jobs.enqueue(FETCH_SOURCE_JOB, { sourceId }, { idempotencyKey: sourceId })),
  ];
  for (const { definition, cron } of registrations) jobs.register(definition, cron ? { cron } : undefined);
  if (config.testJobs) for (const definition of testJobDefinitions(config)) jobs.register(definition);
}
