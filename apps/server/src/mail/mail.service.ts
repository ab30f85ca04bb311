import type { Kysely, Transaction } from 'kysely';
import type { TlpLabel } from '@renkei/contract';
import type { BlobStore } from '../blobs/index.ts';
import type { Schema } from '../db/schema/index.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { RequestContext } from '../policy/actor.ts';
import { addressStatus } from './bounces.service.ts';
import type { ParseLimits } from './inbound-parse.ts';
import { type InboundHandOver, createIntake } from './intake.service.ts';
import { mailPolicy } from './mail.policy.ts';
import { type MailMessageDetail, findMessage } from './mail.repository.ts';
import { createMailbox } from './mailbox.service.ts';
import { type PreparedMail, type QueuedMail, type SendInput, createOutbound } from './outbound.service.ts';
import { type KeyRing, usableEncryptionKeys } from './pgp.ts';
import { type OutboundDelivery, outboundDeliveries } from './outbound.repository.ts';
import { type ReplyTokenFormat, bracketTokens, isIntakeAddress } from './reply-token.ts';
import type { MailLanguage } from './templates.ts';

export { type Envelope, type InboundHandOver, MessageTooLargeError } from './intake.service.ts';
export type { OutboundDelivery } from './outbound.repository.ts';

export {
  InstanceKeyMissingError,
  OUTBOUND_ATTACHMENT_LIMITS,
  PgpKeyRequiredError,
  SEND_JOB,
  type PreparedMail,
  type QueuedMail,
  type SendInput,
} from './outbound.service.ts';

/** The job that re-checks signatures whose key was unknown (run on a schedule, and when keys arrive). */
export const RECHECK_JOB = 'mail.recheck-signatures';
/** The job that reads the configured IMAP mailbox into the intake (RENKEI_IMAP_URL). */
export const IMAP_POLL_JOB = 'mail.poll-imap';

export interface MailServiceOptions {
  intakeAddress: string;
  /** `smtp://host:port` of the outbound relay; null = sending is switched off. */
  relayUrl: string | null;
  sizeLimitBytes: number;
  limits: ParseLimits;
  tokens?: ReplyTokenFormat;
  /**
   * Called inside the transaction that stores a new inbound message (not for a duplicate), e.g. to enqueue
   * another domain's job with `{ trx }`: reverse flows go through jobs, so mail never imports the domains
   * that read its messages, and the message and its hand-over commit together. A failure fails the
   * delivery (451: the sender keeps its copy and tries again).
   */
  afterInbound?: (trx: Transaction<Schema>, message: InboundHandOver) => Promise<void>;
  /** Addresses the intake accepts besides the intake address and its plus-addresses (e.g. a vulnerability intake address elsewhere). */
  otherAddresses?: readonly string[];
}

export interface SendTemplateInput {
  to: string;
  template: string;
  variables: Record<string, string>;
  tlp: TlpLabel;
  /** Overrides the recipient's language from the directory. */
  language?: MailLanguage | undefined;
  threadId?: string | undefined;
}

export type MailService = ReturnType<typeof createMailService>;

/**
 * Mail: intake, storage, threading, PGP, outbound through the relay, DSNs. The capabilities live in
 * `intake.service.ts`, `mailbox.service.ts`, `outbound.service.ts` and `bounces.service.ts`; this is their one facade.
 * @example const mail = createMailService({ db, blobs, jobs, keyRing }, { intakeAddress: 'report@localhost', relayUrl: null, sizeLimitBytes: 25 << 20, limits: DEFAULT_PARSE_LIMITS });
 */
export function createMailService(
  deps: {
    db: Kysely<Schema>;
    blobs: BlobStore;
    jobs: JobQueue;
    keyRing: KeyRing;
    /** The team's own names (the directory's team identity): the sender's name and `{{team}}` in templates. */
    team: () => Promise<{ name: string; nameJa: string | null }>;
  },
  options: MailServiceOptions,
) {
  const { db, blobs, jobs, keyRing } = deps;
  const tokens = options.tokens ?? bracketTokens();
  const outbound = createOutbound(
    { db, blobs, jobs, keyRing },
    {
      intakeAddress: options.intakeAddress,
      relayUrl: options.relayUrl,
      tokens,
      teamName: async () => (await deps.team()).name,
    },
  );
  const intake = createIntake(
    { db, blobs, jobs, keyRing },
    { intakeAddress: options.intakeAddress, sizeLimitBytes: options.sizeLimitBytes, limits: options.limits, tokens, afterInbound: options.afterInbound },
  );
  const mailbox = createMailbox({ db, blobs, keyRing, team: deps.team });

  return {
    /** Streams a message from SMTP into the blob store (cut off at the size limit), then parses and stores it. */
    receive: intake.receive,

    /** True for the addresses the intake accepts (the intake address and its plus-addresses). */
    accepts: (address: string) =>
      isIntakeAddress(address, options.intakeAddress) || (options.otherAddresses ?? []).some((other) => other.toLowerCase() === address.toLowerCase()),

    /** The thread with this key (another domain's reference, e.g. `INC-2026-000045-C1`), made if missing. */
    ensureThread: mailbox.ensureThread,
    sizeLimitBytes: options.sizeLimitBytes,

    listMessages: mailbox.listMessages,
    getMessage: mailbox.getMessage,
    listThreads: mailbox.listThreads,

    /** An attachment's bytes for download. Always sent as an opaque file, never displayed. */
    openAttachment: mailbox.openAttachment,

    /** Files an unmatched reply (or any inbound message) under a thread; clears `unmatched_reply`. */
    assignThread: mailbox.assignThread,

    /** Signs (always) and encrypts (when the recipient has a valid key) a message, stores it and queues it for the relay. */
    async send(ctx: RequestContext, input: SendInput): Promise<MailMessageDetail> {
      const prepared = await outbound.prepare(ctx, input);
      const queued = await db.transaction().execute((trx) => outbound.queue(trx, ctx, prepared));
      return (await findMessage(db, queued.id))!;
    },

    /**
     * Composes and stores a message without queueing it: call it before your transaction, then `queue`
     * inside it, so the message is sent if and only if your change commits.
     */
    prepareSend: (ctx: RequestContext, input: SendInput): Promise<PreparedMail> => outbound.prepare(ctx, input),

    /** Writes a prepared message into the outbox inside the caller's transaction; the relay job runs after commit. */
    queue: (trx: Transaction<Schema>, ctx: RequestContext, prepared: PreparedMail): Promise<QueuedMail> => outbound.queue(trx, ctx, prepared),

    /** Renders a template in the recipient's language (directory, else English) and sends it. */
    async sendTemplate(ctx: RequestContext, input: SendTemplateInput): Promise<MailMessageDetail> {
      mailPolicy.authorize(ctx.actor, 'messages.send');
      const rendered = await this.previewTemplate(ctx, input);
      return this.send(ctx, {
        to: input.to,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        tlp: input.tlp,
        threadId: input.threadId,
      });
    },

    listTemplates: mailbox.listTemplates,
    previewTemplate: mailbox.previewTemplate,

    /** The relay job: hands the stored bytes over at most once per message; permanent refusals end it, others are retried. */
    deliver: outbound.deliver,

    /** With a relay configured, queues the messages that waited for one (`held`); returns how many. Run at start-up. */
    releaseHeld: outbound.releaseHeld,

    /**
     * Checks again the signatures whose key the directory did not have (or those naming the given key
     * IDs): called by a schedule, and enqueued by the directory when it imports a key.
     */
    recheckSignatures: intake.recheckSignatures,

    /**
     * Whether mail to the address would go encrypted: the directory has a usable key for it and its
     * organisation does not refuse PGP (what `send` decides, asked before composing anything).
     */
    async encryptsTo(address: string): Promise<boolean> {
      const recipient = await keyRing.recipient(address.trim());
      if (recipient.policy === 'never') return false;
      return (await usableEncryptionKeys(recipient.keys)).length > 0;
    },

    /** The outbox and DSN state of these outbound messages, by id; other ids are absent. */
    deliveryOf: (ids: readonly string[]): Promise<Map<string, OutboundDelivery>> => outboundDeliveries(db, ids),

    /** What DSNs last said about an address (the directory shows it on the contact). */
    addressStatus: async (address: string) => addressStatus(db, address),
  };
}
