/** The test probe job's payload (RENKEI_TEST_JOBS=1; see test-jobs.ts). */
export interface ProbeData {
  tag: string;
  /** Wait (until the attempt is aborted, or the process killed) on this attempt. */
  blockOnAttempt?: number;
  /** Throw on attempts 1..failAttempts. */
  failAttempts?: number;
  /** Work this long before finishing. */
  sleepMs?: number;
}

/** The payload of a job that takes none (scheduled jobs, sweeps): cron sends `{}`. */
export type NoPayload = Record<string, never>;

/**
 * Every job's name and payload, in one place: `defineJob` and `enqueue` by name accept only these, so a
 * misspelt name or a wrong payload is a compile error. A domain adding a job adds its line here.
 */
export interface JobPayloads {
  'jobs.prune-idempotency-keys': NoPayload;
  'accounts.purge-expired-sessions': NoPayload;
  /** Write a signed checkpoint of the audit chain's head to the data directory. */
  'audit.checkpoint': NoPayload;
  /** Remove temporary blob files left by writers that died. */
  'blobs.sweep-temporary-files': NoPayload;
  /** Hand one outbound message to the relay (enqueued in the transaction that queues it). */
  'mail.send-message': { messageId: string };
  /** Re-verify signatures: those naming these key IDs, or else every `unknown_key` one. */
  'mail.recheck-signatures': { keyIds?: string[] | undefined };
  'mail.poll-imap': NoPayload;
  /** Turn one inbound message into a report, a coordination reply or a reporter's answer. */
  'incidents.intake-mail': { messageId: string };
  'incidents.remind-coordinations': NoPayload;
  /** Turn one inbound message to the vulnerability intake address into a finder's report. */
  'vulnerabilities.intake-mail': { messageId: string };
  /** File one inbound message that names a case or joined a vendor's thread of one (a reply, a DSN) on that case, when it may be. */
  'vulnerabilities.case-mail': { messageId: string };
  'feeds.fetch-source': { sourceId: string };
  'feeds.fetch-due-sources': NoPayload;
  'feeds.send-notifications': { force?: boolean | undefined };
  'feeds.fail-abandoned-runs': NoPayload;
  /** Mail the participants of a case that there is news: a message (`messageId`) or the case shared with one (`participantId`). */
  'vulnerabilities.notify-participants':
    { caseId: string; messageId: string } | { caseId: string; participantId: string } | { caseId: string; participantId: string; reminder: number };
  'vulnerabilities.remind-vendors': NoPayload;
  /** Publish a case at its embargo instant (does nothing when that embargo is no longer in force). */
  'vulnerabilities.publish-case': { caseId: string; embargoId: string };
  /** POST one webhook delivery (written and enqueued with the change it reports). */
  'vulnerabilities.deliver-webhook': { deliveryId: string };
  /** Publish any due case whose publish job did not. */
  'vulnerabilities.sweep-publications': NoPayload;
  /** Test-only (RENKEI_TEST_JOBS=1). */
  'test.probe': ProbeData;
}

export type JobName = keyof JobPayloads;
