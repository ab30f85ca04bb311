import { type JobDefinition, defineJob } from '../jobs/job-queue.ts';
import { parseImapUrl, pollImapMailbox } from './imap-poller.ts';
import { IMAP_POLL_JOB, RECHECK_JOB, type MailService } from './mail.service.ts';
import { SEND_JOB } from './outbound.service.ts';

export interface MailJobOptions {
  /** The mailbox to poll (RENKEI_IMAP_URL, see `parseImapUrl`); null = no IMAP poller. */
  imapUrl: string | null;
  /** How often to poll it (RENKEI_IMAP_POLL_CRON, UTC). */
  imapCron: string;
  /** Seconds before the first retry of a relay hand-over (doubling after). */
  sendRetrySeconds?: number;
  /** The longest one hand-over may run before its attempt is failed (and, for a dead worker's, retried). */
  sendTimeoutSeconds?: number;
}

/**
 * The mail domain's jobs. `mail.send-message` hands one queued message to the relay (up to 9 attempts
 * over about two hours; a permanent 5xx ends it at once; never twice after a crash, decision 0100). `mail.recheck-signatures` re-verifies
 * signatures whose key was unknown; the directory enqueues it with `{ keyIds }` when it imports a key.
 * `mail.poll-imap` reads the configured mailbox into the intake (every minute by default); a failed poll
 * is not retried, the next tick is the retry.
 */
export function mailJobDefinitions(
  mail: MailService,
  options: MailJobOptions = { imapUrl: null, imapCron: '* * * * *' },
): { definition: JobDefinition<never>; cron?: string }[] {
  // Parsed here so a wrong URL stops `renkei serve` at start, not a minute later.
  const imap = options.imapUrl ? parseImapUrl(options.imapUrl) : null;
  let polling = false;
  return [
    {
      definition: defineJob(SEND_JOB, async ({ messageId }, context) => mail.deliver(messageId, context), {
        retryLimit: 8,
        retryDelaySeconds: options.sendRetrySeconds ?? 30,
        backoff: true,
        expireInSeconds: options.sendTimeoutSeconds ?? 300,
      }),
    },
    {
      definition: defineJob(RECHECK_JOB, async ({ keyIds }) => mail.recheckSignatures({ keyIds }), {
        retryLimit: 2,
        retryDelaySeconds: 60,
        expireInSeconds: 900,
      }),
      cron: '*/15 * * * *',
    },
    {
      // Registered even when IMAP is off, so a schedule left from an earlier configuration finds a handler (which does nothing).
      definition: defineJob(
        IMAP_POLL_JOB,
        async (_data, context) => {
          if (!imap) return { skipped: 'RENKEI_IMAP_URL is not set' };
          // One poll at a time per process; another process polling too is safe (the intake deduplicates), only wasteful.
          if (polling) return { skipped: 'a poll is already running' };
          polling = true;
          try {
            return await pollImapMailbox(mail, imap, { signal: context.signal, log: (line) => context.log.warn(line) });
          } finally {
            polling = false;
          }
        },
        { retryLimit: 0, expireInSeconds: 600 },
      ),
      ...(imap ? { cron: options.imapCron } : {}),
    },
  ];
}
