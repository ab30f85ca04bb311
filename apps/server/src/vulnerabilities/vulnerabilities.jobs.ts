import { type JobDefinition, defineJob } from '../jobs/job-queue.ts';
import { PUBLISH_JOB } from './publication.ts';
import type { VulnerabilitiesService } from './vulnerabilities.service.ts';

/** Every minute: publishes any due case whose publish job did not (belt and braces). */
export const SWEEP_PUBLICATIONS_JOB = 'vulnerabilities.sweep-publications';

/**
 * The vulnerabilities domain's jobs: `vulnerabilities.publish-case`, enqueued (keyed by case and embargo,
 * due at the embargo instant) in the transaction that agrees the embargo or approves the advisory; and the
 * sweeper every minute. Both publish through one locked transaction, so a case is published once
 * however many of them run (see publication.ts).
 */
export function vulnerabilitiesJobDefinitions(vulnerabilities: Pick<VulnerabilitiesService, 'runPublishJob' | 'sweepPublications'>): {
  definition: JobDefinition<never>;
  cron?: string;
}[] {
  return [
    {
      definition: defineJob(PUBLISH_JOB, async ({ caseId, embargoId }) => vulnerabilities.runPublishJob(caseId, embargoId), {
        retryLimit: 10,
        retryDelaySeconds: 5,
        backoff: true,
        // One short transaction; a worker killed mid-way gets its job back after this on PostgreSQL.
        expireInSeconds: 30,
      }),
    },
    {
      definition: defineJob(SWEEP_PUBLICATIONS_JOB, async () => vulnerabilities.sweepPublications(), {
        retryLimit: 1,
        retryDelaySeconds: 30,
        expireInSeconds: 120,
      }),
      cron: '* * * * *',
    },
  ];
}
