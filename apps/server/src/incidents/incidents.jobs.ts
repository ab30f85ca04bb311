import { type JobDefinition, defineJob } from '../jobs/job-queue.ts';
import type { IncidentsService } from './incidents.service.ts';

/** Turns one inbound mail message into a report, a coordination event or a reporter's answer. */
export const INTAKE_MAIL_JOB = 'incidents.intake-mail';
/** Reminds silent parties and escalates silent foreign hosts to their national CSIRT. */
export const REMIND_JOB = 'incidents.remind-coordinations';

/**
 * The incidents domain's jobs. The mail service enqueues `incidents.intake-mail` (through the hook
 * services.ts gives it) in the transaction that stores each new inbound message, so none is lost;
 * `incidents.remind-coordinations` runs every 15 minutes.
 */
export function incidentJobDefinitions(incidents: IncidentsService): { definition: JobDefinition<never>; cron?: string }[] {
  return [
    {
      definition: defineJob(INTAKE_MAIL_JOB, async ({ messageId }) => incidents.intakeMail(messageId), {
        retryLimit: 5,
        retryDelaySeconds: 30,
        backoff: true,
        expireInSeconds: 300,
      }),
    },
    {
      definition: defineJob(REMIND_JOB, async () => incidents.runReminders(), { retryLimit: 1, retryDelaySeconds: 60, expireInSeconds: 900 }),
      cron: '*/15 * * * *',
    },
  ];
}
