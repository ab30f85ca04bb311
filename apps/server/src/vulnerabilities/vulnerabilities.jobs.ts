import { type JobDefinition, defineJob } from '../jobs/job-queue.ts';
import { NOTIFY_PARTICIPANTS_JOB } from './messages.service.ts';
import { PUBLISH_JOB } from './publication.ts';
import { CASE_MAIL_JOB } from './case-mail-intake.ts';
import { REMIND_VENDORS_JOB } from './vendor-reminders.ts';
import type { VulnerabilitiesService } from './vulnerabilities.service.ts';
import { DELIVER_WEBHOOK_JOB } from './webhook-events.ts';

export { NOTIFY_PARTICIPANTS_JOB } from './messages.service.ts';
export { CASE_MAIL_JOB } from './case-mail-intake.ts';

/** Turns one inbound message to the vulnerability intake address into a finder's report. */
export const VULNERABILITY_INTAKE_MAIL_JOB = 'vulnerabilities.intake-mail';

/** Every minute: publishes any due case whose publish job did not (belt and braces). */
export const SWEEP_PUBLICATIONS_JOB = 'vulnerabilities.sweep-publications';

/**
 * The vulnerabilities domain's jobs:
 * - `vulnerabilities.intake-mail`, enqueued by the composition root instead of `incidents.intake-mail` for mail
 *   to the vulnerability intake address, in the transaction that stores the message (idempotent per message);
 * - `vulnerabilities.case-mail`, enqueued by the composition root for mail that names a case or joined a
 *   vendor's thread of one (a reply, a DSN): files it on the case when it may be (idempotent per message);
 * - `vulnerabilities.notify-participants`, enqueued in the transaction of each change a participant must
 *   hear of (a message, the case shared with it, a reminder), queues their mail;
 * - `vulnerabilities.remind-vendors` runs hourly and reminds the vendors that have not answered;
 * - `vulnerabilities.publish-case`, enqueued (keyed by case and embargo, due at the embargo instant) in the
 *   transaction that agrees the embargo or approves the advisory, and the sweeper every minute: both
 *   publish through one locked transaction, so a case is published once however many run (publication.ts);
 * - `vulnerabilities.deliver-webhook`, one per delivery, written and enqueued with the change it reports:
 *   a signed POST, retried with backoff (`webhook.retrySeconds` doubling) up to `webhook.attempts` times.
 */
export function vulnerabilitiesJobDefinitions(
  vulnerabilities: Pick<
    VulnerabilitiesService,
    'intakeVulnerabilityMail' | 'intakeCaseMail' | 'notifyParticipants' | 'remindSilentVendors' | 'runPublishJob' | 'sweepPublications' | 'deliverWebhook'
  >,
  webhook: { retrySeconds: number; attempts: number; timeoutSeconds: number } = { retrySeconds: 30, attempts: 8, timeoutSeconds: 10 },
): { definition: JobDefinition<never>; cron?: string }[] {
  return [
    {
      definition: defineJob(DELIVER_WEBHOOK_JOB, async ({ deliveryId }, job) => vulnerabilities.deliverWebhook(deliveryId, job), {
        retryLimit: webhook.attempts - 1,
        retryDelaySeconds: webhook.retrySeconds,
        backoff: true,
        expireInSeconds: webhook.timeoutSeconds + 30,
      }),
    },
    {
      definition: defineJob(VULNERABILITY_INTAKE_MAIL_JOB, async ({ messageId }) => vulnerabilities.intakeVulnerabilityMail(messageId), {
        retryLimit: 5,
        retryDelaySeconds: 30,
        backoff: true,
        expireInSeconds: 300,
      }),
    },
    {
      definition: defineJob(CASE_MAIL_JOB, async ({ messageId }) => vulnerabilities.intakeCaseMail(messageId), {
        retryLimit: 5,
        retryDelaySeconds: 30,
        backoff: true,
        expireInSeconds: 300,
      }),
    },
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
