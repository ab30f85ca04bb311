import { type JobDefinition, defineJob } from '../jobs/job-queue.ts';
import { NOTIFY_PARTICIPANTS_JOB } from './messages.service.ts';
import { REMIND_VENDORS_JOB } from './vendor-reminders.ts';
import type { VulnerabilitiesService } from './vulnerabilities.service.ts';

export { NOTIFY_PARTICIPANTS_JOB } from './messages.service.ts';

/**
 * The vulnerabilities domain's jobs: `vulnerabilities.notify-participants` is enqueued in the transaction
 * of each change a participant must hear of (a message, the case shared with it) and queues their mail;
 * `vulnerabilities.remind-vendors` runs hourly and reminds the vendors that have not answered.
 */
export function vulnerabilitiesJobDefinitions(vulnerabilities: VulnerabilitiesService): { definition: JobDefinition<never>; cron?: string }[] {
  return [
    {
      definition: defineJob(NOTIFY_PARTICIPANTS_JOB, async (payload) => void (await vulnerabilities.notifyParticipants(payload)), {
        retryLimit: 10,
        retryDelaySeconds: 60,
        backoff: true,
        expireInSeconds: 300,
      }),
    },
    {
      definition: defineJob(REMIND_VENDORS_JOB, async () => void (await vulnerabilities.remindSilentVendors()), {
        retryLimit: 1,
        retryDelaySeconds: 300,
        expireInSeconds: 900,
      }),
      cron: '17 * * * *',
    },
  ];
}
