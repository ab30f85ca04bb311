import { type JobDefinition, defineJob } from '../jobs/job-queue.ts';
import type { IncidentsService } from './incidents.service.ts';

/** Turns one inbound mail message into a report, a coordination event or a reporter's answer. */
export const INTAKE_MAIL_JOB = 'incidents.intake-mail';
/** Reminds silent parties and escalates silent foreign hosts to their national CSIRT. */
export const REMIND_JOB = 'incidents.remind-coordinations';
/** Re-enqueues the intake for inbound mail that a crash between the mail commit and the enqueue left unhandled. */
export const SWEEP_MAIL_INTAKE_JOB = 'incidents.sweep-mail-intake';

/** Enqueues `incidents.intake-mail` exactly as the mail service's hook does (idempotency key = message ID). */
export type EnqueueIntake = (messageId: string) => Promise<{ created: boolean }>;

/**
 * The incidents domain's jobs. The mail service enqueues `incidents.intake-mail` (through the hook
 * services.ts gives it) for each new inbound message; `incidents.remind-coordinations` runs every 15 minutes;
 * `incidents.sweep-mail-intake` every 5 minutes re-enqueues the intake for messages older than a minute it never handled.
 */
export function incidentJobDefinitions(incidents: IncidentsService, enqueueIntake: EnqueueIntake): { definition: JobDefinition<never>; cron?: string }[] {
  return [
    {
      definition: defineJob<{ messageId: string }>(INTAKE_MAIL_JOB, async ({ messageId }) => incidents.intakeMail(messageId), {
        retryLimit: 5,
        retryDelaySeconds: 30,
        backoff: true,
        expireInSeconds: 300,
      }),
    },
    {
      definition: defineJob<object>(REMIND_JOB, async () => incidents.runReminders(), { retryLimit: 1, retryDelaySeconds: 60, expireInSeconds: 900 }),
      cron: '*/15 * * * *',
    },
    {
      definition: defineJob<object>(SWEEP_MAIL_INTAKE_JOB, async () => incidents.sweepMailIntake(enqueueIntake), { retryLimit: 0, expireInSeconds: 240 }),
      cron: '*/5 * * * *',
    },
  ];
}
