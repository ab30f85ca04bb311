import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../audit/index.ts';
import type { BlobStore } from '../blobs/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { AppError } from '../kernel/errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { systemContext } from '../policy/actor.ts';
import { applyDeliveryReport } from './bounces.service.ts';
import { readDeliveryReport } from './dsn.ts';
import { type ParseLimits, type ParsedInbound, parseInbound } from './inbound-parse.ts';
import { findInboundByRawSha, insertInbound, listRecheckCandidates, lockIngest, updatePgpCheck } from './intake.repository.ts';
import { createThread, findThreadById, insertParts, threadByKeys, threadByMessageIds, touchThread } from './mail.repository.ts';
import { once, readBlob } from './outbound.service.ts';
import type { KeyRing } from './pgp.ts';
import { type ReplyTokenFormat, looksLikeReply, plusDetail } from './reply-token.ts';

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

export interface IntakeDeps {
  db: Kysely<Schema>;
  blobs: BlobStore;
  jobs: JobQueue;
  keyRing: KeyRing;
}

export interface IntakeOptions {
  intakeAddress: string;
  sizeLimitBytes: number;
  limits: ParseLimits;
  tokens: ReplyTokenFormat;
  /** Called inside the transaction that stores a new inbound message (see `MailServiceOptions.afterInbound`). */
  afterInbound?: ((trx: Transaction<Schema>, message: InboundHandOver) => Promise<void>) | undefined;
}

/** What `afterInbound` is told of a new inbound message. */
export interface InboundHandOver {
  id: string;
  status: ParsedInbound['status'];
  /** Whom it was for, lower-cased: the SMTP envelope's recipients, or, without an envelope (IMAP), the To and Cc headers. */
  recipients: string[];
  /** The key of the thread it joined (a DSN joins its original's); NULL = none (a new message, or an unmatched reply). */
  threadKey: string | null;
  /** The thread keys its subject names in brackets (`[VU-2026-00001]`), upper case, whether or not a thread has them. */
  subjectKeys: string[];
  /** Its flags (`dsn`, `auto_reply`, `unmatched_reply`, …). */
  flags: string[];
}

export interface Received {
  id: string;
  status: ParsedInbound['status'];
  duplicate: boolean;
}

/**
 * Intake: inbound messages from SMTP and IMAP stored with their parts, threaded, PGP-checked, DSNs applied.
 * @example const intake = createIntake({ db, blobs, jobs, keyRing }, { intakeAddress, sizeLimitBytes, limits, tokens: bracketTokens() });
 */
export function createIntake(deps: IntakeDeps, options: IntakeOptions) {
  return {
    receive: (content: AsyncIterable<Uint8Array>, envelope: Envelope): Promise<Received> => receive(deps, options, content, envelope),
    recheckSignatures: (input: { keyIds?: string[] | undefined; limit?: number } = {}): Promise<{ checked: number; changed: number }> =>
      recheckSignatures(deps, options, input),
  };
}

/** Streams a message into the blob store (cut off at the size limit), then parses and stores it. */
async function receive(deps: IntakeDeps, options: IntakeOptions, content: AsyncIterable<Uint8Array>, envelope: Envelope): Promise<Received> {
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
  const stored = await deps.blobs.put(tee(), { maxBytes: options.sizeLimitBytes });
  return ingest(deps, options, Buffer.concat(chunks), stored.sha256, envelope);
}

async function ingest(deps: IntakeDeps, options: IntakeOptions, raw: Buffer, rawSha256: string, envelope: Envelope): Promise<Received> {
  const { db, blobs, jobs, keyRing } = deps;
  // A client that lost our 250 sends again: the same bytes are the same message.
  const existing = await findInboundByRawSha(db, rawSha256);
  if (existing) return { id: existing.id, status: existing.status as ParsedInbound['status'], duplicate: true };
  const parsed = await parseInbound(raw, options.limits, keyRing);
  // Blobs are content-addressed and shared: one written before a failed transaction is harmless.
  const stored: { sha256: string; size: number }[] = [];
  for (const attachment of parsed.attachments) stored.push(await blobs.put(once(attachment.content)));
  const report = parsed.dsn ? readDeliveryReport(parsed.attachments) : null;
  const ctx = { ...systemContext(envelope.source ?? 'smtp'), ip: envelope.clientAddress };
  // Enqueueing inside the transaction needs the queue started first (on PGlite the transaction holds the one connection).
  if (options.afterInbound) await jobs.start();
  return db.transaction().execute(async (trx) => {
    // Two deliveries of the same bytes at once (an SMTP retry, two IMAP polls) must still make one message.
    await lockIngest(trx, rawSha256);
    const raced = await findInboundByRawSha(trx, rawSha256);
    if (raced) return { id: raced.id, status: raced.status as ParsedInbound['status'], duplicate: true };
    let reportThreadId: string | null = null;
    if (report) reportThreadId = await applyDeliveryReport(trx, report);
    const { threadId, unmatched } = await placeInThread(trx, options, parsed, envelope, reportThreadId);
    const flags = [...parsed.flags, ...(unmatched ? ['unmatched_reply'] : [])];
    const id = await insertInbound(trx, {
      threadId,
      rawSha256,
      rawSize: raw.length,
      parsed,
      flags,
      envelopeFrom: envelope.mailFrom?.slice(0, 320) ?? null,
      envelopeTo: envelope.rcptTo.map((a) => a.toLowerCase().slice(0, 320)),
      clientAddress: envelope.clientAddress,
    });
    await insertParts(
      trx,
      id,
      parsed.attachments.map((a, ordinal) => ({
        filename: a.filename,
        contentType: a.contentType,
        disposition: a.disposition,
        contentId: a.contentId,
        size: stored[ordinal]!.size,
        sha256: stored[ordinal]!.sha256,
        fromEncrypted: a.fromEncrypted,
      })),
    );
    if (threadId) await touchThread(trx, threadId);
    await recordAudit(trx, ctx, {
      action: 'mail.receive',
      targetType: 'mail_message',
      targetId: id,
      after: { status: parsed.status, pgpStatus: parsed.pgp.status, flags },
    });
    const recipients = (envelope.rcptTo.length > 0 ? envelope.rcptTo : [...parsed.to, ...parsed.cc]).map((a) => a.toLowerCase());
    if (options.afterInbound) {
      const threadKey = threadId ? ((await findThreadById(trx, threadId))?.key ?? null) : null;
      await options.afterInbound(trx, { id, status: parsed.status, recipients, threadKey, subjectKeys: options.tokens.find(parsed.subject), flags });
    }
    return { id, status: parsed.status, duplicate: false };
  });
}

/** Which thread an inbound message joins, and whether it is a reply that matched none. */
async function placeInThread(
  trx: Kysely<Schema>,
  options: IntakeOptions,
  parsed: ParsedInbound,
  envelope: Envelope,
  reportThreadId: string | null,
): Promise<{ threadId: string | null; unmatched: boolean }> {
  const { tokens } = options;
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

/** Checks again the signatures whose key the directory did not have (or those naming the given key IDs). */
async function recheckSignatures(
  deps: IntakeDeps,
  options: IntakeOptions,
  input: { keyIds?: string[] | undefined; limit?: number },
): Promise<{ checked: number; changed: number }> {
  const { db, blobs, keyRing } = deps;
  const rows = await listRecheckCandidates(db, input.keyIds, input.limit ?? 500);
  let changed = 0;
  for (const row of rows) {
    const parsed = await parseInbound(await readBlob(blobs, row.rawSha256), options.limits, keyRing);
    if (parsed.pgp.status === row.pgpStatus) continue;
    changed++;
    await db.transaction().execute(async (trx) => {
      await updatePgpCheck(trx, row.id, parsed.pgp);
      await recordAudit(trx, systemContext('mail.recheck-signatures'), {
        action: 'mail.recheck_signature',
        targetType: 'mail_message',
        targetId: row.id,
        before: { pgpStatus: row.pgpStatus },
        after: { pgpStatus: parsed.pgp.status },
      });
    });
  }
  return { checked: rows.length, changed };
}
