import { type JobDefinition, defineJob } from '../jobs/job-queue.ts';
import type { VulnerabilitiesService } from './vulnerabilities.service.ts';

/** Turns one inbound message to the vulnerability intake address into a finder's report. */
export const VULNERABILITY_INTAKE_MAIL_JOB = 'vulnerabilities.intake-mail';

/**
 * The vulnerabilities domain's jobs. The composition root enqueues `vulnerabilities.intake-mail` instead
 * of `incidents.intake-mail` for mail to the vulnerability intake address, in the transaction that stores
 * the message, so none is lost and none is filed twice (the job is idempotent per message).
 */
export function vulnerabilityJobDefinitions(vulnerabilities: VulnerabilitiesService): { definition: JobDefinition<never>; cron?: string }[] {
  return [
    {
      definition: defineJob(VULNERABILITY_INTAKE_MAIL_JOB, async ({ messageId }) => vulnerabilities.intakeVulnerabilityMail(messageId), {
        retryLimit: 5,
        retryDelaySeconds: 30,
        backoff: true,
        expireInSeconds: 300,
      }),
    },
  ];
}
