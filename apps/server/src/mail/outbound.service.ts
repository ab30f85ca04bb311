import type { Kysely, Transaction } from 'kysely';
import { TLP_LABELS, type TlpLabel, mayReceive, tlpLabel, tlpLevelOfLabel } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { BlobStore } from '../blobs/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { AppError, BadRequestError, ConflictError, NotFoundError } from '../kernel/errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { type RequestContext, actorId } from '../policy/actor.ts';
import { mailPolicy } from './mail.policy.ts';
import { createThread, findThreadById, insertParts, touchThread } from './mail.repository.ts';
import { type OutboundAttachment, PermanentRelayError, composeMail, relay } from './outbound.ts';
import { claimForSending, holdQueued, insertOutbound, recentMessageIds, recordHandover, releaseHeld } from './outbound.repository.ts';
import { type KeyRing, usableEncryptionKeys } from './pgp.ts';
import type { ReplyTokenFormat } from './reply-token.ts';
import { withTlpBody, withTlpSubject } from './templates.ts';

/** The job that hands a queued outbound message to the relay (retried with backoff). */
export const SEND_JOB = 'mail.send-message';

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

/**
 * A message composed (signed, encrypted) and its bytes in the blob store, not yet in the outbox: made
 * by `prepare` outside any transaction, written by `queue` inside the caller's.
 */
export interface PreparedMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string | null;
  readonly tlp: TlpLabel;
  readonly thread: { readonly id: string; readonly key: string };
  readonly messageId: string;
  readonly encrypted: boolean;
  readonly signerFingerprint: string;
  readonly fromName: string;
  readonly raw: { readonly sha256: string; readonly size: number };
  readonly files: readonly { filename: string; contentType: string; size: number; sha256: string }[];
}

/** An outbound message in the outbox (committed with the caller's transaction). */
export interface QueuedMail {
  id: string;
  threadId: string;
  subject: string;
  messageId: string;
}

export interface OutboundOptions {
  intakeAddress: string;
  /** `smtp://host:port` of the outbound relay; null = messages wait in the outbox as `held` until a process with a relay starts. */
  relayUrl: string | null;
  tokens: ReplyTokenFormat;
  /** The name outbound mail is sent under (the team's own organisation). */
  teamName: () => Promise<string>;
}

const ADDRESS = /^[^\s@<>()",;:\\[\]]{1,64}@[A-Za-z0-9.-]{1,253}$/;

/**
 * Outbound mail as an outbox: `prepare` composes (PGP) and stores the bytes; `queue(trx, …)` writes the
 * message, its parts, the audit entry and the delivery job in the caller's transaction; `deliver` (the
 * job, after commit) hands the bytes to the relay at most once per message (see decision 0100).
 * @example const prepared = await outbound.prepare(ctx, input); await db.transaction().execute((trx) => outbound.queue(trx, ctx, prepared));
 */
export function createOutbound(deps: { db: Kysely<Schema>; blobs: BlobStore; jobs: JobQueue; keyRing: KeyRing }, options: OutboundOptions) {
  const { db, blobs, jobs, keyRing } = deps;
  const intakeDomain = options.intakeAddress.split('@')[1] ?? 'localhost';

  async function prepare(ctx: RequestContext, input: SendInput): Promise<PreparedMail> {
    mailPolicy.authorize(ctx.actor, 'messages.send');
    const to = input.to.trim();
    if (!ADDRESS.test(to)) throw new BadRequestError('invalid_address', 'The recipient is not an e-mail address');
    const level = tlpLevelOfLabel(input.tlp);
    if (level === null) throw new BadRequestError('invalid_tlp', `TLP must be one of ${TLP_LABELS.join(', ')}`);
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

    let thread: { id: string; key: string };
    if (input.threadId) {
      const found = await findThreadById(db, input.threadId);
      if (!found) throw new NotFoundError('mail_thread_not_found', 'No such thread');
      thread = found;
    } else {
      // The key goes into the subject before signing, so a new thread is made now; if the caller's
      // transaction then rolls back, an empty thread is left, which lists as nothing.
      thread = await createThread(db, input.subject);
    }
    const earlier = await recentMessageIds(db, thread.id);
    const subject = withTlpSubject(options.tokens.mark(input.subject, thread.key), input.tlp);
    const text = withTlpBody(input.text, input.tlp);
    const fromName = await options.teamName();
    const composed = await composeMail(
      {
        from: { name: fromName, address: options.intakeAddress },
        to,
        subject,
        text,
        html: input.html,
        inReplyTo: earlier.find((m) => m.direction === 'inbound')?.messageId ?? earlier[0]?.messageId ?? null,
        references: earlier.map((m) => m.messageId).reverse(),
        attachments: extras.attachments,
        headers: extras.headers,
        messageIdDomain: intakeDomain,
      },
      { signingKey, encryptTo },
    );
    // Blobs are content-addressed: one written for a transaction that then rolls back is harmless.
    const raw = await blobs.put(once(composed.raw));
    // The sent copy keeps its files as parts, as an inbound message does, so the mailbox lists them.
    const files: PreparedMail['files'][number][] = [];
    for (const a of extras.attachments) {
      const stored = await blobs.put(once(a.content));
      files.push({ filename: a.filename, contentType: a.contentType, size: stored.size, sha256: stored.sha256 });
    }
    return {
      to,
      subject,
      text,
      html: input.html ?? null,
      tlp: input.tlp,
      thread,
      messageId: composed.messageId,
      encrypted: composed.encrypted,
      signerFingerprint: signingKey.getFingerprint().toUpperCase(),
      fromName,
      raw,
      files,
    };
  }

  /** Writes a prepared message into the outbox inside `trx`: row, parts, audit entry and delivery job commit with the caller's change. */
  async function queue(trx: Transaction<Schema>, ctx: RequestContext, mail: PreparedMail): Promise<QueuedMail> {
    mailPolicy.authorize(ctx.actor, 'messages.send');
    const id = await insertOutbound(trx, {
      threadId: mail.thread.id,
      rawSha256: mail.raw.sha256,
      rawSize: mail.raw.size,
      messageId: mail.messageId,
      subject: mail.subject,
      fromAddress: options.intakeAddress,
      fromName: mail.fromName,
      to: mail.to,
      text: mail.text,
      html: mail.html,
      tlp: mail.tlp,
      signerFingerprint: mail.signerFingerprint,
      encrypted: mail.encrypted,
      createdBy: actorId(ctx.actor),
      held: !options.relayUrl,
    });
    await insertParts(
      trx,
      id,
      mail.files.map((f) => ({ ...f, disposition: 'attachment', contentId: null, fromEncrypted: mail.encrypted })),
    );
    await touchThread(trx, mail.thread.id);
    await recordAudit(trx, ctx, {
      action: 'mail.send',
      targetType: 'mail_message',
      targetId: id,
      after: {
        to: mail.to,
        tlp: mail.tlp,
        encrypted: mail.encrypted,
        threadKey: mail.thread.key,
        ...(options.relayUrl ? {} : { held: 'no relay configured' }),
        ...(mail.files.length > 0 ? { attachments: mail.files } : {}),
      },
    });
    // Without a relay the message waits as `held`, with no job to spend its retries: `releaseHeld` queues it.
    if (options.relayUrl) await jobs.enqueue(SEND_JOB, { messageId: id }, { trx, idempotencyKey: id });
    return { id, threadId: mail.thread.id, subject: mail.subject, messageId: mail.messageId };
  }

  /**
   * With a relay configured, queues every `held` message with its delivery job, in one transaction; a
   * start-up step. Returns how many were queued (0 without a relay). The delivery guard still holds:
   * a message is handed over only from `queued`, so a job enqueued twice does not send it twice.
   */
  async function releaseHeldMessages(): Promise<number> {
    if (!options.relayUrl) return 0;
    return db.transaction().execute(async (trx) => {
      const ids = await releaseHeld(trx);
      for (const id of ids) await jobs.enqueue(SEND_JOB, { messageId: id }, { trx, idempotencyKey: id });
      return ids.length;
    });
  }

  const deliver = (messageId: string, attempt: { attempt: number; maxAttempts: number }) => deliverMessage({ db, blobs }, options, messageId, attempt);

  return { prepare, queue, deliver, releaseHeld: releaseHeldMessages };
}

/**
 * The relay job. Without a relay, a `queued` message goes back to `held`. A `queued` message is first marked `sending` (committed), then handed over, then
 * recorded. A message found `sending` belongs to an attempt that died between those steps: the relay
 * may have taken it, so it is not handed over again but marked `unconfirmed` for a person to check.
 */
async function deliverMessage(
  { db, blobs }: { db: Kysely<Schema>; blobs: BlobStore },
  options: OutboundOptions,
  messageId: string,
  attempt: { attempt: number; maxAttempts: number },
): Promise<{ status: string }> {
  if (!options.relayUrl) {
    // A job queued by a process with a relay, run by one without: the message waits again, no attempt spent.
    return { status: (await holdQueued(db, messageId)) ? 'held' : 'not queued' };
  }
  const relayUrl = options.relayUrl;
  const claim = await claimForSending(db, messageId, `Attempt ${attempt.attempt}: handing over to the relay`);
  if (!claim) return { status: 'missing' };
  const entry = claim.found;
  if (!claim.claimed) {
    if (entry.status !== 'sending') return { status: entry.status };
    await recordHandover(db, entry.id, entry.sendAttempts, {
      status: 'unconfirmed',
      detail:
        'A worker stopped while handing this message to the relay; it is not sent again, since the relay may already have it. Check with the recipient, or send it again.',
    });
    return { status: 'unconfirmed' };
  }
  const raw = await readBlob(blobs, entry.rawSha256);
  let response: string;
  try {
    response = (await relay(relayUrl, { from: entry.envelopeFrom ?? options.intakeAddress, to: entry.envelopeTo }, raw, entry.id)).response;
  } catch (error) {
    // The relay refused, or the connection failed before its answer: sent again on retry, as any MTA
    // would (the same bytes and Message-ID). Only a stop of this process leaves the message unsent-again.
    const permanent = error instanceof PermanentRelayError;
    const last = permanent || attempt.attempt >= attempt.maxAttempts;
    const detail = `Attempt ${attempt.attempt}: ${error instanceof Error ? error.message : String(error)}`;
    await recordHandover(db, entry.id, entry.sendAttempts, { status: last ? 'failed' : 'queued', detail });
    if (permanent) return { status: 'failed' };
    throw error;
  }
  // Outside the catch: if this record fails, the message stays `sending` and is not handed over again.
  await recordHandover(db, entry.id, entry.sendAttempts, { status: 'sent', detail: response });
  return { status: 'sent' };
}

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

export async function readBlob(blobs: BlobStore, sha256: string): Promise<Buffer> {
  const stream = await blobs.open(sha256);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
