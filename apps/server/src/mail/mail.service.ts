import type { Readable } from 'node:stream';
import { type Kysely, type Transaction, sql } from 'kysely';
import type { TlpLabel } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { BlobStore } from '../blobs/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { AppError, NotFoundError } from '../kernel/errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { type RequestContext, systemContext } from '../policy/actor.ts';
import { readDeliveryReport } from './dsn.ts';
import { type ParseLimits, type ParsedInbound, parseInbound } from './inbound-parse.ts';
import { mailPolicy } from './mail.policy.ts';
import {
  type MailMessageDetail,
  type MailMessageSummary,
  type MailPart,
  type MailThread,
  type MessageFilter,
  createThread,
  findMessage,
  findPart,
  listMessages,
  listThreads,
  threadByKeys,
  threadByMessageIds,
} from './mail.repository.ts';
import { type PreparedMail, type QueuedMail, type SendInput, createOutbound, once, readBlob } from './outbound.service.ts';
import type { KeyRing } from './pgp.ts';
import { type ReplyTokenFormat, bracketTokens, isIntakeAddress, looksLikeReply, plusDetail } from './reply-token.ts';
import { type MailLanguage, type RenderedMail, TEMPLATES, findTemplate, renderTemplate } from './templates.ts';

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

/** The message is larger than the SMTP size limit: refused with 552, nothing stored. */
export class MessageTooLargeError extends AppError {
  constructor(limit: number) {
    super(413, 'mail_too_large', `The message is larger than the limit of ${limit} bytes`);
  }
}

export interface Envelope {
  mailFrom: string | null;
  rcptTo: string[];
  clientAddress: string | null;
  /** How the message reached us (the audit label); SMTP when not given. */
  source?: 'smtp' | 'imap';
}

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
  afterInbound?: (trx: Transaction<Schema>, message: { id: string; status: ParsedInbound['status'] }) => Promise<void>;
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
 * Mail: intake, storage, threading, PGP, outbound through the relay, DSNs.
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

  async function storeAttachments(parsed: ParsedInbound): Promise<{ sha256: string; size: number }[]> {
    const stored: { sha256: string; size: number }[] = [];
    // Blobs are content-addressed and shared: one written before a failed transaction is harmless.
    for (const attachment of parsed.attachments) stored.push(await blobs.put(once(attachment.content)));
    return stored;
  }

  /** Which thread an inbound message joins, and whether it is a reply that matched none. */
  async function placeInThread(
    trx: Kysely<Schema>,
    parsed: ParsedInbound,
    envelope: Envelope,
    reportThreadId: string | null,
  ): Promise<{ threadId: string | null; unmatched: boolean }> {
    if (reportThreadId) return { threadId: reportThreadId, unmatched: false };
    const byHeaders = await threadByMessageIds(
      trx,
      [parsed.inReplyTo, ...[...parsed.references].reverse()].filter((id): id is string => id !== null),
    );
    if (byHeaders) return { threadId: byHeaders, unmatched: false };
    const subjectKeys = tokens.find(parsed.subject);
    const byToken = await threadByKeys(trx, subjectKeys);
    if (byToken) return { threadId: byToken, unmatched: false };
    const plusKeys = [...envelope.rcptTo, ...parsed.to]
      .map((address) => plusDetail(address, options.intakeAddress))
      .map((detail) => (detail === null ? null : tokens.fromDetail(detail)))
      .filter((key): key is string => key !== null);
    const byPlus = await threadByKeys(trx, plusKeys);
    if (byPlus) return { threadId: byPlus, unmatched: false };
    // A reply (or one naming a thread key) that found no thread waits for an analyst, not a new thread.
    if (looksLikeReply(parsed.subject, parsed.inReplyTo) || subjectKeys.length > 0 || plusKeys.length > 0) return { threadId: null, unmatched: true };
    if (parsed.status !== 'stored') return { threadId: null, unmatched: false };
    const thread = await createThread(trx, parsed.subject || '(no subject)');
    return { threadId: thread.id, unmatched: false };
  }

  async function ingest(raw: Buffer, rawSha256: string, envelope: Envelope): Promise<{ id: string; status: ParsedInbound['status']; duplicate: boolean }> {
    // A client that lost our 250 sends again: the same bytes are the same message.
    const existing = await db
      .selectFrom('mail_messages')
      .select(['id', 'status'])
      .where('direction', '=', 'inbound')
      .where('raw_sha256', '=', rawSha256)
      .executeTakeFirst();
    if (existing) return { id: existing.id, status: existing.status as ParsedInbound['status'], duplicate: true };
    const parsed = await parseInbound(raw, options.limits, keyRing);
    const stored = await storeAttachments(parsed);
    const report = parsed.dsn ? readDeliveryReport(parsed.attachments) : null;
    const ctx = { ...systemContext(envelope.source ?? 'smtp'), ip: envelope.clientAddress };
    // Enqueueing inside the transaction needs the queue started first (on PGlite the transaction holds the one connection).
    if (options.afterInbound) await jobs.start();
    return db.transaction().execute(async (trx) => {
      // Two deliveries of the same bytes at once (an SMTP retry, two IMAP polls) must still make one message.
      await sql`SELECT pg_advisory_xact_lock(hashtext(${`mail.ingest:${rawSha256}`}))`.execute(trx);
      const raced = await trx
        .selectFrom('mail_messages')
        .select(['id', 'status'])
        .where('direction', '=', 'inbound')
        .where('raw_sha256', '=', rawSha256)
        .executeTakeFirst();
      if (raced) return { id: raced.id, status: raced.status as ParsedInbound['status'], duplicate: true };
      let reportThreadId: string | null = null;
      if (report) reportThreadId = await applyDeliveryReport(trx, report);
      const { threadId, unmatched } = await placeInThread(trx, parsed, envelope, reportThreadId);
      const flags = [...parsed.flags, ...(unmatched ? ['unmatched_reply'] : [])];
      const row = await trx
        .insertInto('mail_messages')
        .values({
          direction: 'inbound',
          thread_id: threadId,
          status: parsed.status,
          status_detail: parsed.statusDetail,
          raw_sha256: rawSha256,
          raw_size: raw.length,
          message_id: parsed.messageId,
          in_reply_to: parsed.inReplyTo,
          references: parsed.references,
          subject: parsed.subject,
          from_address: parsed.fromAddress,
          from_name: parsed.fromName,
          to_addresses: parsed.to,
          cc_addresses: parsed.cc,
          envelope_from: envelope.mailFrom?.slice(0, 320) ?? null,
          envelope_to: envelope.rcptTo.map((a) => a.toLowerCase().slice(0, 320)),
          client_address: envelope.clientAddress,
          sent_at: parsed.sentAt,
          headers: JSON.stringify(parsed.headers),
          text_body: parsed.textBody,
          html_body: parsed.htmlBody,
          html_text: parsed.htmlText,
          flags,
          tlp: parsed.tlp,
          pgp_status: parsed.pgp.status,
          pgp_format: parsed.pgp.format,
          pgp_signer_key_ids: parsed.pgp.signerKeyIds,
          pgp_signer_fingerprint: parsed.pgp.signerFingerprint,
          pgp_encryption: parsed.pgp.encryption,
          pgp_detail: parsed.pgp.detail,
          pgp_checked_at: parsed.pgp.status === 'unsigned' ? null : new Date(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (parsed.attachments.length > 0) {
        await trx
          .insertInto('mail_parts')
          .values(
            parsed.attachments.map((a, ordinal) => ({
              message_id: row.id,
              ordinal,
              filename: a.filename,
              content_type: a.contentType,
              disposition: a.disposition,
              content_id: a.contentId,
              size: stored[ordinal]!.size,
              sha256: stored[ordinal]!.sha256,
              from_encrypted: a.fromEncrypted,
            })),
          )
          .execute();
      }
      if (threadId) await trx.updateTable('mail_threads').set({ last_message_at: new Date() }).where('id', '=', threadId).execute();
      await recordAudit(trx, ctx, {
        action: 'mail.receive',
        targetType: 'mail_message',
        targetId: row.id,
        after: { status: parsed.status, pgpStatus: parsed.pgp.status, flags },
      });
      if (options.afterInbound) await options.afterInbound(trx, { id: row.id, status: parsed.status });
      return { id: row.id, status: parsed.status, duplicate: false };
    });
  }

  /** Records a DSN on the outbound message it names and on each address; returns that message's thread. */
  async function applyDeliveryReport(trx: Kysely<Schema>, report: NonNullable<ReturnType<typeof readDeliveryReport>>): Promise<string | null> {
    const candidates = [report.originalMessageId, report.envelopeId].filter((v): v is string => v !== null);
    if (candidates.length === 0) return null;
    const original = await trx
      .selectFrom('mail_messages')
      .select(['id', 'thread_id'])
      .where('direction', '=', 'outbound')
      .where((eb) => eb.or([eb('message_id', 'in', candidates), ...(candidates.some(isUuid) ? [eb('id', 'in', candidates.filter(isUuid))] : [])]))
      .executeTakeFirst();
    if (!original) return null;
    const worst = report.recipients.find((r) => r.action === 'failed') ?? report.recipients.find((r) => r.action === 'delayed') ?? report.recipients[0];
    if (worst) {
      const status = worst.action === 'failed' ? 'bounced' : worst.action === 'delayed' ? 'delayed' : worst.action === 'delivered' ? 'delivered' : 'relayed';
      const detail = [worst.status, worst.diagnostic].filter(Boolean).join(' ') || null;
      await trx
        .updateTable('mail_messages')
        .set({ delivery_status: status, delivery_detail: detail, delivery_updated_at: new Date() })
        .where('id', '=', original.id)
        .execute();
    }
    for (const recipient of report.recipients) {
      if (recipient.action === 'relayed' || recipient.action === 'expanded') continue;
      const lastStatus = recipient.action === 'failed' ? 'bounced' : recipient.action;
      const detail = [recipient.status, recipient.diagnostic].filter(Boolean).join(' ') || null;
      await trx
        .insertInto('mail_address_status')
        .values({
          address: recipient.address,
          last_status: lastStatus,
          last_detail: detail,
          last_message_id: original.id,
          bounce_count: lastStatus === 'bounced' ? 1 : 0,
        })
        .onConflict((oc) =>
          oc.column('address').doUpdateSet((eb) => ({
            last_status: lastStatus,
            last_detail: detail,
            last_message_id: original.id,
            updated_at: new Date(),
            bounce_count: lastStatus === 'bounced' ? eb('mail_address_status.bounce_count', '+', 1) : eb.ref('mail_address_status.bounce_count'),
          })),
        )
        .execute();
    }
    return original.thread_id;
  }

  return {
    /** Streams a message from SMTP into the blob store (cut off at the size limit), then parses and stores it. */
    async receive(content: AsyncIterable<Uint8Array>, envelope: Envelope): Promise<{ id: string; status: ParsedInbound['status']; duplicate: boolean }> {
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      async function* tee(): AsyncGenerator<Buffer> {
        for await (const chunk of content) {
          size += chunk.byteLength;
          // Past the limit the rest is read and dropped, so the client gets its answer and no file is left.
          if (over || size > options.sizeLimitBytes) {
            over = true;
            chunks.length = 0;
            continue;
          }
          const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
          chunks.push(bytes);
          yield bytes;
        }
        if (over) throw new MessageTooLargeError(options.sizeLimitBytes);
      }
      const stored = await blobs.put(tee(), { maxBytes: options.sizeLimitBytes });
      return ingest(Buffer.concat(chunks), stored.sha256, envelope);
    },

    /** True for the addresses the intake accepts (the intake address and its plus-addresses). */
    accepts: (address: string) => isIntakeAddress(address, options.intakeAddress),

    /** The thread with this key (another domain's reference, e.g. `INC-2026-000045-C1`), made if missing. */
    async ensureThread(key: string, subject: string): Promise<{ id: string; key: string }> {
      const existing = await db.selectFrom('mail_threads').select(['id', 'key']).where('key', '=', key).executeTakeFirst();
      if (existing) return existing;
      return db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtext(${`mail.thread:${key}`}))`.execute(trx);
        return (await trx.selectFrom('mail_threads').select(['id', 'key']).where('key', '=', key).executeTakeFirst()) ?? createThread(trx, subject, key);
      });
    },
    sizeLimitBytes: options.sizeLimitBytes,

    async listMessages(
      ctx: RequestContext,
      filter: MessageFilter,
      page: { offset: number; limit: number },
    ): Promise<{ items: MailMessageSummary[]; total: number }> {
      return listMessages(db, filter, page, mailPolicy.listScope(ctx.actor, 'messages.read'));
    },

    async getMessage(ctx: RequestContext, id: string): Promise<MailMessageDetail> {
      const notFound = () => new NotFoundError('mail_message_not_found', 'No such message');
      const message = await findMessage(db, id, mailPolicy.detailScope(ctx.actor, 'messages.read', notFound));
      if (!message) throw notFound();
      return message;
    },

    async listThreads(ctx: RequestContext, page: { offset: number; limit: number }): Promise<{ items: MailThread[]; total: number }> {
      return listThreads(db, page, mailPolicy.listScope(ctx.actor, 'messages.read'));
    },

    /** An attachment's bytes for download. Always sent as an opaque file, never displayed. */
    async openAttachment(ctx: RequestContext, messageId: string, partId: string): Promise<{ part: MailPart; stream: Readable }> {
      const scope = mailPolicy.detailScope(ctx.actor, 'messages.read', () => new NotFoundError('mail_part_not_found', 'No such attachment'));
      const part = await findPart(db, messageId, partId, scope);
      if (!part) throw new NotFoundError('mail_part_not_found', 'No such attachment');
      return { part, stream: await blobs.open(part.sha256) };
    },

    /** Files an unmatched reply (or any inbound message) under a thread; clears `unmatched_reply`. */
    async assignThread(ctx: RequestContext, messageId: string, threadId: string): Promise<MailMessageDetail> {
      mailPolicy.authorize(ctx.actor, 'messages.assign');
      await db.transaction().execute(async (trx) => {
        const message = await trx.selectFrom('mail_messages').select(['id', 'thread_id', 'flags']).where('id', '=', messageId).forUpdate().executeTakeFirst();
        if (!message) throw new NotFoundError('mail_message_not_found', 'No such message');
        const thread = await trx.selectFrom('mail_threads').select(['id', 'key']).where('id', '=', threadId).executeTakeFirst();
        if (!thread) throw new NotFoundError('mail_thread_not_found', 'No such thread');
        const flags = message.flags.filter((f) => f !== 'unmatched_reply');
        await trx.updateTable('mail_messages').set({ thread_id: thread.id, flags }).where('id', '=', messageId).execute();
        await recordAudit(trx, ctx, {
          action: 'mail.assign_thread',
          targetType: 'mail_message',
          targetId: messageId,
          before: { threadId: message.thread_id, flags: message.flags },
          after: { threadId: thread.id, flags },
        });
      });
      return (await findMessage(db, messageId))!;
    },

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

    listTemplates(ctx: RequestContext): { name: string; description: string; variables: string[] }[] {
      mailPolicy.authorize(ctx.actor, 'templates.preview');
      return TEMPLATES.map((t) => ({ name: t.name, description: t.description, variables: [...t.variables] }));
    },

    async previewTemplate(
      ctx: RequestContext,
      input: { to?: string | undefined; template: string; variables: Record<string, string>; tlp: TlpLabel; language?: MailLanguage | undefined },
    ): Promise<RenderedMail> {
      mailPolicy.authorize(ctx.actor, 'templates.preview');
      const template = findTemplate(input.template);
      const language = input.language ?? (input.to ? (await keyRing.recipient(input.to)).language : null) ?? 'en';
      const self = await deps.team();
      const team = language === 'ja' ? (self.nameJa ?? self.name) : self.name;
      return renderTemplate(template, language, { team, ...input.variables }, input.tlp);
    },

    /** The relay job: hands the stored bytes over at most once per message; permanent refusals end it, others are retried. */
    deliver: outbound.deliver,

    /**
     * Checks again the signatures whose key the directory did not have (or those naming the given key
     * IDs): called by a schedule, and enqueued by the directory when it imports a key.
     */
    async recheckSignatures(input: { keyIds?: string[] | undefined; limit?: number } = {}): Promise<{ checked: number; changed: number }> {
      let query = db.selectFrom('mail_messages').select(['id', 'raw_sha256', 'pgp_status', 'envelope_to']).where('direction', '=', 'inbound');
      query =
        input.keyIds && input.keyIds.length > 0
          ? query.where(sql<boolean>`pgp_signer_key_ids && ${input.keyIds.map((k) => k.toUpperCase())}::text[]`)
          : query.where('pgp_status', 'in', ['unknown_key']);
      const rows = await query
        .orderBy('received_at', 'desc')
        .limit(input.limit ?? 500)
        .execute();
      let changed = 0;
      for (const row of rows) {
        const parsed = await parseInbound(await readBlob(blobs, row.raw_sha256), options.limits, keyRing);
        if (parsed.pgp.status === row.pgp_status) continue;
        changed++;
        await db.transaction().execute(async (trx) => {
          await trx
            .updateTable('mail_messages')
            .set({
              pgp_status: parsed.pgp.status,
              pgp_signer_fingerprint: parsed.pgp.signerFingerprint,
              pgp_detail: parsed.pgp.detail,
              pgp_checked_at: new Date(),
            })
            .where('id', '=', row.id)
            .execute();
          await recordAudit(trx, systemContext('mail.recheck-signatures'), {
            action: 'mail.recheck_signature',
            targetType: 'mail_message',
            targetId: row.id,
            before: { pgpStatus: row.pgp_status },
            after: { pgpStatus: parsed.pgp.status },
          });
        });
      }
      return { checked: rows.length, changed };
    },

    /** What DSNs last said about an address (the directory shows it on the contact). */
    async addressStatus(address: string) {
      return db.selectFrom('mail_address_status').selectAll().where('address', '=', address.toLowerCase()).executeTakeFirst() ?? null;
    },
  };
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
