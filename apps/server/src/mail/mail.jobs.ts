import { type JobDefinition, defineJob } from '../jobs/job-queue.ts';
import { RECHECK_JOB, SEND_JOB, type MailService } from './mail.service.ts';

/**
 * The mail domain's jobs. `mail.send-message` hands one queued message to the relay (up to 9 attempts
 * over about two hours; a permanent 5xx ends it at once). `mail.recheck-signatures` re-verifies
 * signatures whose key was unknown; the directory enqueues it with `{ keyIds }` when it imports a key.
 */
export function mailJobDefinitions(mail: MailService): { definition: JobDefinition<never>; cron?: string }[] {
  return [
    {
      definition: defineJob<{ messageId: string }>(SEND_JOB, async ({ messageId }, context) => mail.deliver(messageId, context), {
        retryLimit: 8,
        retryDelaySeconds: 30,
        backoff: true,
        expireInSeconds: 300,
      }),
    },
    {
      definition: defineJob<{ keyIds?: string[] }>(RECHECK_JOB, async ({ keyIds }) => mail.recheckSignatures({ keyIds }), {
        retryLimit: 2,
        retryDelaySeconds: 60,
        expireInSeconds: 900,
      }),
      cron: '*/15 * * * *',
    },
  ];
}
