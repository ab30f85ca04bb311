import type { Readable } from 'node:stream';
import { type Kysely, sql } from 'kysely';
import { TLP_LABELS, type TlpLabel, mayReceive, tlpLabel, tlpLevelOfLabel } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { BlobStore } from '../blobs/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { AppError, BadRequestError, ConflictError, NotFoundError, ServiceUnavailableError } from '../kernel/errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { type RequestContext, actorId, systemContext } from '../policy/actor.ts';
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
import { type OutboundAttachment, PermanentRelayError, composeMail, relay } from './outbound.ts';
import { type KeyRing, usableEncryptionKeys } from './pgp.ts';
import { type ReplyTokenFormat, bracketTokens, isIntakeAddress, looksLikeReply, plusDetail } from './reply-token.ts';
import { type MailLanguage, type RenderedMail, TEMPLATES, findTemplate, renderTemplate, withTlpBody, withTlpSubject } from './templates.ts';

/** The job that hands a queued outbound message to the relay (retried with backoff). */
export const SEND_JOB = 'mail.send-message';
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

/** The recipient's organisation requires PGP and the directory has no valid key for the address. */
export class PgpKeyRequiredError extends AppError {
  constructor(address: string) {
    super(
      409,
      'pgp_key_required',
      `The organisation of ${address} requires PGP-encrypted mail, and the directory has no valid (unexpired, unrevoked) key for that address. Import the recipient's key first.`,
    );
  }
}

export class InstanceKeyMissingError extends AppError {
  constructor() {
    super(
      503,
      'pgp_instance_key_missing',
      'This instance has no PGP key to sign outgoing mail with; generate or import the instance key in the directory first',
    );
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
   * Called after a new inbound message is committed (not for a duplicate), e.g. to enqueue another domain's
   * job: reverse flows go through jobs, so mail never imports the domains that read its messages. A failure
   * here does not fail the delivery (the message is stored).
   */
  afterInbound?: (message: { id: string; status: ParsedInbound['status'] }) => Promise<void>;
}

export interface SendInput {
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
  tlp: TlpLabel;
  threadId?: string | undefined;
  /** Files after the text; at most `OUTBOUND_ATTACHMENT_LIMITS` (count, bytes each and together). */
  attachments?: readonly OutboundAttachment[] | undefined;
  /** Extra top-level header fields, `X-…` names only (e.g. `X-XARF: PLAIN`); at most 5. */
  headers?: Readonly<Record<string, string>> | undefined;
}

/** What one outbound message may carry: counted before encoding (base64 and armour add about 78 %). */
export const OUTBOUND_ATTACHMENT_LIMITS = { maxCount: 20, maxBytesEach: 15 * 1024 * 1024, maxBytesTotal: 20 * 1024 * 1024 } as const;

/** Checks attachments and extra headers of a send; the names and types go into MIME headers, so they are strict. */
function checkSendExtras(input: SendInput): { attachments: OutboundAttachment[]; headers: [string, string][] } {
  const list = input.attachments ?? [];
  const limits = OUTBOUND_ATTACHMENT_LIMITS;
  if (list.length > limits.maxCount)
    throw new BadRequestError('mail_attachments_too_many', `At most ${limits.maxCount} attachments per message; this one has ${list.length}`);
  let total = 0;
  const attachments = list.map((a, i) => {
    const filename = a.filename
      // eslint-disable-next-line no-control-regex -- control characters are what is being removed
      .replace(/[\u0000-\u001f\u007f/\\]/g, '_')
      .trim()
      .slice(0, 200);
    if (filename === '') throw new BadRequestError('mail_attachment_invalid', `Attachment ${i + 1} has no file name`);
    if (!/^[a-z0-9!#$&^_.+-]{1,64}\/[a-z0-9!#$&^_.+-]{1,64}(; ?charset=[a-z0-9_.:-]{1,40})?$/i.test(a.contentType)) {
      throw new BadRequestError('mail_attachment_invalid', `Attachment ${filename} has an unusable content type`);
    }
    if (!Buffer.isBuffer(a.content)) throw new BadRequestError('mail_attachment_invalid', `Attachment ${filename} has no content`);
    if (a.content.length > limits.maxBytesEach)
      throw new BadRequestError('mail_attachment_too_large', `Attachment ${filename} is ${a.content.length} bytes; the limit is ${limits.maxBytesEach}`);
    total += a.content.length;
    return { filename, contentType: a.contentType, content: a.content };
  });
  if (total > limits.maxBytesTotal)
    throw new BadRequestError('mail_attachment_too_large', `The attachments come to ${total} bytes; the limit is ${limits.maxBytesTotal} together`);
  const headers = Object.entries(input.headers ?? {});
  if (headers.length > 5 || headers.some(([name, value]) => !/^X-[A-Za-z0-9-]{1,60}$/.test(name) || !/^[\x20-\x7e]{1,200}$/.test(value))) {
    throw new BadRequestError('mail_headers_invalid', 'Extra header fields must be at most 5 `X-…` names with printable ASCII values');
  }
  return { attachments, headers };
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

const ADDRESS = /^[^\s@<>()",;:\\[\]]{1,64}@[A-Za-z0-9.-]{1,253}$/;

/**
 * Mail: intake, storage, threading, PGP, outbound through the relay, DSNs.
 * @example const mail = createMailService({ db, blobs, jobs, keyRing }, { intakeAddress: 'report@localhost', relayUrl: null, sizeLimitBytes: 25 << 20, limits: DEFAULT_PARSE_LIMITS });
 */
export function createMailService(deps: { db: Kysely<Schema>; blobs: BlobStore; jobs: JobQueue; keyRing: KeyRing }, options: MailServiceOptions) {
  const { db, blobs, jobs, keyRing } = deps;
  const tokens = options.tokens ?? bracketTokens();
  const intakeDomain = options.intakeAddress.split('@')[1] ?? 'localhost';

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

  async function readBlob(sha256: string): Promise<Buffer> {
    const stream = await blobs.open(sha256);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async function queueOutbound(ctx: RequestContext, input: SendInput & { html?: string | undefined; alreadyLabelled?: boolean }): Promise<MailMessageDetail> {
    mailPolicy.authorize(ctx.actor, 'messages.send');
    const to = input.to.trim();
    if (!ADDRESS.test(to)) throw new BadRequestError('invalid_address', 'The recipient is not an e-mail address');
    const level = tlpLevelOfLabel(input.tlp);
    if (level === null) throw new BadRequestError('invalid_tlp', `TLP must be one of ${TLP_LABELS.join(', ')}`);
    if (!options.relayUrl) throw new ServiceUnavailableError('mail_relay_not_configured', 'No outbound relay is configured (RENKEI_SMTP_RELAY)');
    const recipient = await keyRing.recipient(to);
    // Nothing leaves above the recipient's TLP ceiling; an address the directory does not know
    // (a reporter, a new contact) gets at most TLP:AMBER, the directory's default ceiling.
    const ceiling = recipient.tlpCeiling ?? 'amber';
    if (!mayReceive(level, ceiling)) {
      throw new ConflictError('tlp_above_ceiling', `${to} may receive at most ${tlpLabel(ceiling)}; this message is ${input.tlp}`);
    }
    const encryptTo = recipient.policy === 'never' ? [] : await usableEncryptionKeys(recipient.keys);
    if (recipient.policy === 'required' && encryptTo.length === 0) throw new PgpKeyRequiredError(to);
    const extras = checkSendExtras(input);
    const signingKey = await keyRing.instanceKey();
    if (!signingKey) throw new InstanceKeyMissingError();

    let thread: { id: string; key: string } | null = null;
    if (input.threadId) {
      thread = (await db.selectFrom('mail_threads').select(['id', 'key']).where('id', '=', input.threadId).executeTakeFirst()) ?? null;
      if (!thread) throw new NotFoundError('mail_thread_not_found', 'No such thread');
    } else {
      thread = await createThread(db, input.subject);
    }
    const earlier = await db
      .selectFrom('mail_messages')
      .select(['message_id', 'direction'])
      .where('thread_id', '=', thread.id)
      .where('message_id', 'is not', null)
      .orderBy('received_at', 'desc')
      .limit(20)
      .execute();
    const subject = withTlpSubject(tokens.mark(input.subject, thread.key), input.tlp);
    const text = withTlpBody(input.text, input.tlp);
    const self = await db.selectFrom('organisations').select('name').where('is_self', '=', true).executeTakeFirst();
    const composed = await composeMail(
      {
        from: { name: self?.name ?? 'Renkei', address: options.intakeAddress },
        to,
        subject,
        text,
        html: input.html,
        inReplyTo: earlier.find((m) => m.direction === 'inbound')?.message_id ?? earlier[0]?.message_id ?? null,
        references: earlier.map((m) => m.message_id!).reverse(),
        attachments: extras.attachments,
        headers: extras.headers,
        messageIdDomain: intakeDomain,
      },
      { signingKey, encryptTo },
    );
    const blob = await blobs.put(once(composed.raw));
    // The sent copy keeps its files as parts, as an inbound message does, so the mailbox lists them.
    const partBlobs: { sha256: string; size: number }[] = [];
    for (const attachment of extras.attachments) partBlobs.push(await blobs.put(once(attachment.content)));
    const id = await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('mail_messages')
        .values({
          direction: 'outbound',
          thread_id: thread.id,
          status: 'queued',
          status_detail: null,
          raw_sha256: blob.sha256,
          raw_size: blob.size,
          message_id: composed.messageId,
          in_reply_to: null,
          subject,
          from_address: options.intakeAddress,
          from_name: self?.name ?? null,
          to_addresses: [to.toLowerCase()],
          envelope_from: options.intakeAddress,
          envelope_to: [to.toLowerCase()],
          client_address: null,
          sent_at: new Date(),
          headers: '[]',
          text_body: text,
          html_body: input.html ?? null,
          html_text: null,
          tlp: input.tlp,
          pgp_status: 'good',
          pgp_format: 'pgp_mime',
          pgp_signer_fingerprint: signingKey.getFingerprint().toUpperCase(),
          pgp_encryption: composed.encrypted ? 'decrypted' : 'none',
          pgp_detail: composed.encrypted ? 'Signed by the instance key and encrypted to the recipient' : 'Signed by the instance key (no usable recipient key)',
          pgp_checked_at: new Date(),
          delivery_status: 'pending',
          created_by: actorId(ctx.actor),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (extras.attachments.length > 0) {
        await trx
          .insertInto('mail_parts')
          .values(
            extras.attachments.map((a, ordinal) => ({
              message_id: row.id,
              ordinal,
              filename: a.filename,
              content_type: a.contentType,
              disposition: 'attachment',
              content_id: null,
              size: partBlobs[ordinal]!.size,
              sha256: partBlobs[ordinal]!.sha256,
              from_encrypted: composed.encrypted,
            })),
          )
          .execute();
      }
      await trx.updateTable('mail_threads').set({ last_message_at: new Date() }).where('id', '=', thread.id).execute();
      const files = extras.attachments.map((a, i) => ({
        filename: a.filename,
        contentType: a.contentType,
        size: a.content.length,
        sha256: partBlobs[i]!.sha256,
      }));
      await recordAudit(trx, ctx, {
        action: 'mail.send',
        targetType: 'mail_message',
        targetId: row.id,
        after: { to, tlp: input.tlp, encrypted: composed.encrypted, threadKey: thread.key, ...(files.length > 0 ? { attachments: files } : {}) },
      });
      await jobs.enqueue(SEND_JOB, { messageId: row.id }, { trx, idempotencyKey: row.id });
      return row.id;
    });
    return (await findMessage(db, id))!;
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
      const result = await ingest(Buffer.concat(chunks), stored.sha256, envelope);
      if (!result.duplicate && options.afterInbound) await options.afterInbound({ id: result.id, status: result.status }).catch(() => undefined);
      return result;
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
    send: (ctx: RequestContext, input: SendInput) => queueOutbound(ctx, input),

    /** Renders a template in the recipient's language (directory, else English) and sends it. */
    async sendTemplate(ctx: RequestContext, input: SendTemplateInput): Promise<MailMessageDetail> {
      mailPolicy.authorize(ctx.actor, 'messages.send');
      const rendered = await this.previewTemplate(ctx, input);
      return queueOutbound(ctx, {
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
      const self = await db.selectFrom('organisations').select(['name', 'name_ja']).where('is_self', '=', true).executeTakeFirst();
      const team = language === 'ja' ? (self?.name_ja ?? self?.name ?? 'Renkei') : (self?.name ?? 'Renkei');
      return renderTemplate(template, language, { team, ...input.variables }, input.tlp);
    },

    /** The relay job: hands the stored bytes over once; permanent refusals end it, others are retried. */
    async deliver(messageId: string, attempt: { attempt: number; maxAttempts: number }): Promise<{ status: string }> {
      const row = await db
        .selectFrom('mail_messages')
        .select(['id', 'status', 'raw_sha256', 'envelope_from', 'envelope_to', 'message_id'])
        .where('id', '=', messageId)
        .where('direction', '=', 'outbound')
        .executeTakeFirst();
      if (!row || row.status !== 'queued') return { status: row?.status ?? 'missing' };
      if (!options.relayUrl) throw new Error('No outbound relay is configured (RENKEI_SMTP_RELAY)');
      const raw = await readBlob(row.raw_sha256);
      try {
        const result = await relay(options.relayUrl, { from: row.envelope_from ?? options.intakeAddress, to: row.envelope_to }, raw, row.id);
        await db
          .updateTable('mail_messages')
          .set((eb) => ({
            status: 'sent',
            delivery_status: 'relayed',
            delivery_detail: result.response.slice(0, 500),
            delivery_updated_at: new Date(),
            send_attempts: eb('send_attempts', '+', 1),
          }))
          .where('id', '=', row.id)
          .execute();
        return { status: 'sent' };
      } catch (error) {
        const permanent = error instanceof PermanentRelayError;
        const last = permanent || attempt.attempt >= attempt.maxAttempts;
        await db
          .updateTable('mail_messages')
          .set((eb) => ({
            ...(last ? { status: 'failed' as const, delivery_status: 'failed' as const } : {}),
            delivery_detail: `Attempt ${attempt.attempt}: ${(error as Error).message}`.slice(0, 500),
            delivery_updated_at: new Date(),
            send_attempts: eb('send_attempts', '+', 1),
          }))
          .where('id', '=', row.id)
          .execute();
        if (permanent) return { status: 'failed' };
        throw error;
      }
    },

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
        const parsed = await parseInbound(await readBlob(row.raw_sha256), options.limits, keyRing);
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

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
