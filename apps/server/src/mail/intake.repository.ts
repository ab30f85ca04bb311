import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import type { ParsedInbound } from './inbound-parse.ts';
import type { MailMessageRow } from './mail.repository.ts';

/** The SQL of the intake: inbound messages and their parts, the duplicate guard, signature re-checks. */

/** The inbound message already stored with these raw bytes (an SMTP retry, a second IMAP poll), or null. */
export async function findInboundByRawSha(db: Kysely<Schema>, rawSha256: string): Promise<{ id: string; status: MailMessageRow['status'] } | null> {
  const row = await db
    .selectFrom('mail_messages')
    .select(['id', 'status'])
    .where('direction', '=', 'inbound')
    .where('raw_sha256', '=', rawSha256)
    .executeTakeFirst();
  return row ?? null;
}

/** Serialises, until the transaction ends, the deliveries of the same bytes. */
export async function lockIngest(trx: Kysely<Schema>, rawSha256: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`mail.ingest:${rawSha256}`}))`.execute(trx);
}

export interface InboundRowInput {
  threadId: string | null;
  rawSha256: string;
  rawSize: number;
  parsed: ParsedInbound;
  flags: string[];
  envelopeFrom: string | null;
  envelopeTo: string[];
  clientAddress: string | null;
}

/** Inserts an inbound message as parsed; returns its ID. */
export async function insertInbound(trx: Kysely<Schema>, input: InboundRowInput): Promise<string> {
  const { parsed } = input;
  const row = await trx
    .insertInto('mail_messages')
    .values({
      direction: 'inbound',
      thread_id: input.threadId,
      status: parsed.status,
      status_detail: parsed.statusDetail,
      raw_sha256: input.rawSha256,
      raw_size: input.rawSize,
      message_id: parsed.messageId,
      in_reply_to: parsed.inReplyTo,
      references: parsed.references,
      subject: parsed.subject,
      from_address: parsed.fromAddress,
      from_name: parsed.fromName,
      to_addresses: parsed.to,
      cc_addresses: parsed.cc,
      envelope_from: input.envelopeFrom,
      envelope_to: input.envelopeTo,
      client_address: input.clientAddress,
      sent_at: parsed.sentAt,
      headers: JSON.stringify(parsed.headers),
      text_body: parsed.textBody,
      html_body: parsed.htmlBody,
      html_text: parsed.htmlText,
      flags: input.flags,
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
  return row.id;
}

export interface RecheckCandidate {
  id: string;
  rawSha256: string;
  pgpStatus: MailMessageRow['pgp_status'];
}

/** Inbound messages whose signature names one of these key IDs, or (without any) whose key was unknown; newest first. */
export async function listRecheckCandidates(db: Kysely<Schema>, keyIds: readonly string[] | undefined, limit: number): Promise<RecheckCandidate[]> {
  let query = db.selectFrom('mail_messages').select(['id', 'raw_sha256', 'pgp_status', 'envelope_to']).where('direction', '=', 'inbound');
  query =
    keyIds && keyIds.length > 0
      ? query.where(sql<boolean>`pgp_signer_key_ids && ${keyIds.map((k) => k.toUpperCase())}::text[]`)
      : query.where('pgp_status', 'in', ['unknown_key']);
  const rows = await query.orderBy('received_at', 'desc').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, rawSha256: r.raw_sha256, pgpStatus: r.pgp_status }));
}

/** Records a fresh signature check on a message. */
export async function updatePgpCheck(trx: Kysely<Schema>, id: string, pgp: ParsedInbound['pgp']): Promise<void> {
  await trx
    .updateTable('mail_messages')
    .set({
      pgp_status: pgp.status,
      pgp_signer_fingerprint: pgp.signerFingerprint,
      pgp_detail: pgp.detail,
      pgp_checked_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}
