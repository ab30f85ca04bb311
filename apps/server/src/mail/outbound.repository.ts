import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema/index.ts';

/** The SQL of sending: the outbox rows (message, parts) and the per-message delivery guard. */

export interface OutboundRowInput {
  threadId: string;
  rawSha256: string;
  rawSize: number;
  messageId: string;
  subject: string;
  fromAddress: string;
  fromName: string | null;
  to: string;
  text: string;
  html: string | null;
  tlp: string;
  signerFingerprint: string;
  encrypted: boolean;
  createdBy: string | null;
  /** True when no relay is configured: the message waits as `held` and gets no delivery job yet. */
  held: boolean;
}

/** Why a held message waits, for a person (the apps translate the status itself). */
export const HELD_DETAIL = 'Not sent: no relay is configured (RENKEI_SMTP_RELAY). It is sent once the server starts with a relay.';

/** Inserts an outbound message in status `queued` (waiting for its delivery job) or `held` (no relay); returns its ID. */
export async function insertOutbound(trx: Kysely<Schema>, input: OutboundRowInput): Promise<string> {
  const row = await trx
    .insertInto('mail_messages')
    .values({
      direction: 'outbound',
      thread_id: input.threadId,
      status: input.held ? 'held' : 'queued',
      status_detail: input.held ? HELD_DETAIL : null,
      raw_sha256: input.rawSha256,
      raw_size: input.rawSize,
      message_id: input.messageId,
      in_reply_to: null,
      subject: input.subject,
      from_address: input.fromAddress,
      from_name: input.fromName,
      to_addresses: [input.to.toLowerCase()],
      envelope_from: input.fromAddress,
      envelope_to: [input.to.toLowerCase()],
      client_address: null,
      sent_at: new Date(),
      headers: '[]',
      text_body: input.text,
      html_body: input.html,
      html_text: null,
      tlp: input.tlp,
      pgp_status: 'good',
      pgp_format: 'pgp_mime',
      pgp_signer_fingerprint: input.signerFingerprint,
      pgp_encryption: input.encrypted ? 'decrypted' : 'none',
      pgp_detail: input.encrypted ? 'Signed by the instance key and encrypted to the recipient' : 'Signed by the instance key (no usable recipient key)',
      pgp_checked_at: new Date(),
      delivery_status: 'pending',
      created_by: input.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The thread's latest Message-IDs (newest first, at most 20) with their direction, for In-Reply-To and References. */
export async function recentMessageIds(db: Kysely<Schema>, threadId: string): Promise<{ messageId: string; direction: 'inbound' | 'outbound' }[]> {
  const rows = await db
    .selectFrom('mail_messages')
    .select(['message_id', 'direction'])
    .where('thread_id', '=', threadId)
    .where('message_id', 'is not', null)
    .orderBy('received_at', 'desc')
    .limit(20)
    .execute();
  return rows.flatMap((r) => (r.message_id === null ? [] : [{ messageId: r.message_id, direction: r.direction }]));
}

/**
 * Moves every `held` message to `queued` inside `trx` and returns their IDs, oldest first, for the
 * caller to enqueue their delivery jobs in the same transaction. Two starters at once each get
 * disjoint rows (the update locks them), so no message gets two jobs from here.
 */
export async function releaseHeld(trx: Kysely<Schema>): Promise<string[]> {
  const rows = await trx
    .updateTable('mail_messages')
    .set({ status: 'queued', status_detail: null, delivery_updated_at: new Date() })
    .where('direction', '=', 'outbound')
    .where('status', '=', 'held')
    .returning(['id', 'received_at'])
    .execute();
  return rows.sort((a, b) => a.received_at.getTime() - b.received_at.getTime()).map((r) => r.id);
}

/** A delivery job that runs where no relay is configured puts a still-`queued` message back to `held`, without counting an attempt. */
export async function holdQueued(db: Kysely<Schema>, id: string): Promise<boolean> {
  const result = await db
    .updateTable('mail_messages')
    .set({ status: 'held', status_detail: HELD_DETAIL, delivery_updated_at: new Date() })
    .where('id', '=', id)
    .where('direction', '=', 'outbound')
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export interface OutboxEntry {
  id: string;
  status: 'held' | 'queued' | 'sending' | 'sent' | 'failed' | 'unconfirmed';
  rawSha256: string;
  envelopeFrom: string | null;
  envelopeTo: string[];
  sendAttempts: number;
}

/**
 * The delivery guard, step 1 (its own committed transaction): a `queued` message becomes `sending`
 * with its attempt counted, before any byte goes to the relay. Returns the entry as it was found
 * (locked while deciding), or null for no such outbound message.
 */
export async function claimForSending(db: Kysely<Schema>, id: string, detail: string): Promise<{ found: OutboxEntry; claimed: boolean } | null> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('mail_messages')
      .select(['id', 'status', 'raw_sha256', 'envelope_from', 'envelope_to', 'send_attempts'])
      .where('id', '=', id)
      .where('direction', '=', 'outbound')
      .forUpdate()
      .executeTakeFirst();
    if (!row) return null;
    const found: OutboxEntry = {
      id: row.id,
      status: outboxStatus(row.status),
      rawSha256: row.raw_sha256,
      envelopeFrom: row.envelope_from,
      envelopeTo: row.envelope_to,
      sendAttempts: row.send_attempts,
    };
    if (found.status !== 'queued') return { found, claimed: false };
    await trx
      .updateTable('mail_messages')
      .set({ status: 'sending', send_attempts: row.send_attempts + 1, delivery_detail: detail.slice(0, 500), delivery_updated_at: new Date() })
      .where('id', '=', id)
      .execute();
    return { found: { ...found, status: 'sending', sendAttempts: row.send_attempts + 1 }, claimed: true };
  });
}

/**
 * Records how a hand-over ended. Only the attempt that claimed the message may record (its
 * `send_attempts`), and only while it is `sending` or was since judged `unconfirmed` (a relay that
 * answered late still proves the message went).
 */
export async function recordHandover(
  db: Kysely<Schema>,
  id: string,
  attempt: number,
  outcome:
    | { status: 'sent'; detail: string }
    | { status: 'queued'; detail: string }
    | { status: 'failed'; detail: string }
    | { status: 'unconfirmed'; detail: string },
): Promise<void> {
  const delivery =
    outcome.status === 'sent' ? { delivery_status: 'relayed' as const } : outcome.status === 'failed' ? { delivery_status: 'failed' as const } : {};
  await db
    .updateTable('mail_messages')
    .set({ status: outcome.status, ...delivery, delivery_detail: outcome.detail.slice(0, 500), delivery_updated_at: new Date() })
    .where('id', '=', id)
    .where('send_attempts', '=', attempt)
    .where('status', 'in', outcome.status === 'unconfirmed' ? ['sending'] : ['sending', 'unconfirmed'])
    .execute();
}

function outboxStatus(status: string): OutboxEntry['status'] {
  switch (status) {
    case 'held':
    case 'queued':
    case 'sending':
    case 'sent':
    case 'failed':
    case 'unconfirmed':
      return status;
    default:
      throw new Error(`An outbound message cannot have the status ${status}`);
  }
}

/** Where an outbound message stands: the outbox (`status`) and what DSNs said (`deliveryStatus`). */
export interface OutboundDelivery {
  id: string;
  status: string;
  statusDetail: string | null;
  sentAt: Date | null;
  /** NULL = no DSN about it yet. */
  deliveryStatus: string | null;
  deliveryDetail: string | null;
}

/** The delivery state of these outbound messages, by id (unknown or inbound ids are absent). One query. */
export async function outboundDeliveries(db: Kysely<Schema>, ids: readonly string[]): Promise<Map<string, OutboundDelivery>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('mail_messages')
    .select(['id', 'status', 'status_detail', 'sent_at', 'delivery_status', 'delivery_detail'])
    .where('direction', '=', 'outbound')
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      { id: r.id, status: r.status, statusDetail: r.status_detail, sentAt: r.sent_at, deliveryStatus: r.delivery_status, deliveryDetail: r.delivery_detail },
    ]),
  );
}
