import { deleteExpiredSessions } from '../accounts/accounts.repository.ts';
import { checkpointFiles, writeAuditCheckpoint } from '../audit/audit-checkpoint.ts';
import { BLOB_TEMPORARY_FILE_MAX_AGE_MS } from '../blobs/blob-store.ts';
import type { Config } from '../config.ts';
import type { Services } from '../services.ts';
import { INTAKE_MAIL_JOB, incidentJobDefinitions } from '../incidents/incidents.jobs.ts';
import { mailJobDefinitions } from '../mail/mail.jobs.ts';
import { FETCH_SOURCE_JOB, feedsJobDefinitions } from '../feeds/feeds.jobs.ts';
import { defineJob } from './job-queue.ts';
import { testJobDefinitions } from './test-jobs.ts';

/**
 * Every kind of background job, in one place: each domain adds its jobs (and their schedules) here,
 * with handlers that reach the domain through `services`. Cron schedules are UTC.
 */
export function registerJobs(services: Services, config: Config): void {
  const { jobs, database } = services;

  jobs.register(
    defineJob('accounts.purge-expired-sessions', async () => ({ deleted: await deleteExpiredSessions(database.db) }), {
      retryLimit: 2,
      retryDelaySeconds: 60,
      expireInSeconds: 300,
    }),
    { cron: '7 * * * *' },
  );

  // The chain's head, signed, in a file the database cannot rewrite: `renkei audit verify` checks against it.
  jobs.register(
    defineJob('audit.checkpoint', async () => ({ seq: (await writeAuditCheckpoint(database.db, checkpointFiles(config.dataDir)))?.seq ?? null }), {
      retryLimit: 2,
      retryDelaySeconds: 60,
      expireInSeconds: 300,
    }),
    { cron: '*/15 * * * *' },
  );

  // A writer killed mid-upload (kill -9 during SMTP DATA, say) leaves its temporary file behind.
  jobs.register(
    defineJob('blobs.sweep-temporary-files', async () => services.blobs.sweepTemporaryFiles(BLOB_TEMPORARY_FILE_MAX_AGE_MS), {
      retryLimit: 2,
      retryDelaySeconds: 60,
      expireInSeconds: 300,
    }),
    { cron: '23 * * * *' },
  );

  for (const { definition, cron } of mailJobDefinitions(services.mail, { imapUrl: config.imapUrl, imapCron: config.imapPollCron }))
    jobs.register(definition, cron ? { cron } : undefined);

  for (const { definition, cron } of incidentJobDefinitions(services.incidents, (messageId) =>
    jobs.enqueue(INTAKE_MAIL_JOB, { messageId }, { idempotencyKey: messageId }),
  ))
    jobs.register(definition, cron ? { cron } : undefined);

  for (const { definition, cron } of feedsJobDefinitions(services.feeds, (sourceId) =>
    jobs.enqueue(FETCH_SOURCE_JOB, { sourceId }, { idempotencyKey: sourceId }),
  ))
    jobs.register(definition, cron ? { cron } : undefined);

  if (config.testJobs) for (const definition of testJobDefinitions(config)) jobs.register(definition);
}
