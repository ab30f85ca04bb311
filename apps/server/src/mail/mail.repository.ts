import { type Kysely, type Selectable, sql } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import { ALL, type Scope, scopeWhere } from '../policy/scope.ts';
import type { MailMessagesTable, MailPartsTable } from '../db/schema/mail.ts';

export type MailMessageRow = Selectable<MailMessagesTable>;
export type MailPartRow = Selectable<MailPartsTable>;

export interface MailPart {
  id: string;
  filename: string | null;
  contentType: string;
  disposition: string | null;
  size: number;
  sha256: string;
  fromEncrypted: boolean;
}

export interface MailMessageSummary {
  id: string;
  direction: 'inbound' | 'outbound';
  threadId: string | null;
  threadKey: string | null;
  status: MailMessageRow['status'];
  subject: string;
  fromAddress: string | null;
  fromName: string | null;
  to: string[];
  receivedAt: Date;
  pgpStatus: MailMessageRow['pgp_status'];
  pgpEncryption: MailMessageRow['pgp_encryption'];
  flags: string[];
  tlp: string | null;
  attachmentCount: number;
  deliveryStatus: MailMessageRow['delivery_status'];
}

export interface MailMessageDetail extends MailMessageSummary {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  cc: string[];
  sentAt: Date | null;
  statusDetail: string | null;
  headers: [string, string][];
  /** Untrusted text: display escaped. */
  textBody: string;
  /** The HTML body reduced to text; the HTML itself is never handed out. */
  htmlText: string | null;
  hasHtml: boolean;
  pgpFormat: MailMessageRow['pgp_format'];
  pgpSignerKeyIds: string[];
  pgpSignerFingerprint: string | null;
  pgpDetail: string | null;
  pgpCheckedAt: Date | null;
  deliveryDetail: string | null;
  rawSize: number;
  rawSha256: string;
  parts: MailPart[];
}

export interface MailThread {
  id: string;
  key: string;
  subject: string;
  createdAt: Date;
  lastMessageAt: Date;
  messageCount: number;
}

type SummaryRow = Pick<
  MailMessageRow,
  | 'id'
  | 'direction'
  | 'thread_id'
  | 'status'
  | 'subject'
  | 'from_address'
  | 'from_name'
  | 'to_addresses'
  | 'received_at'
  | 'pgp_status'
  | 'pgp_encryption'
  | 'flags'
  | 'tlp'
  | 'delivery_status'
> & {
  thread_key: string | null;
  attachment_count: number;
};

export function summaryRowToSummary(row: SummaryRow): MailMessageSummary {
  return {
    id: row.id,
    direction: row.direction,
    threadId: row.thread_id,
    threadKey: row.thread_key,
    status: row.status,
    subject: row.subject,
    fromAddress: row.from_address,
    fromName: row.from_name,
    to: row.to_addresses,
    receivedAt: row.received_at,
    pgpStatus: row.pgp_status,
    pgpEncryption: row.pgp_encryption,
    flags: row.flags,
    tlp: row.tlp,
    attachmentCount: Number(row.attachment_count),
    deliveryStatus: row.delivery_status,
  };
}

function partRowToPart(row: MailPartRow): MailPart {
  return {
    id: row.id,
    filename: row.filename,
    contentType: row.content_type,
    disposition: row.disposition,
    size: Number(row.size),
    sha256: row.sha256,
    fromEncrypted: row.from_encrypted,
  };
}

function summaryQuery(db: Kysely<Schema>) {
  return db
    .selectFrom('mail_messages as m')
    .leftJoin('mail_threads as t', 't.id', 'm.thread_id')
    .select([
      'm.id',
      'm.direction',
      'm.thread_id',
      'm.status',
      'm.subject',
      'm.from_address',
      'm.from_name',
      'm.to_addresses',
      'm.received_at',
      'm.pgp_status',
      'm.pgp_encryption',
      'm.flags',
      'm.tlp',
      'm.delivery_status',
      't.key as thread_key',
    ])
    .select((eb) =>
      eb
        .selectFrom('mail_parts as p')
        .whereRef('p.message_id', '=', 'm.id')
        .select(sql<number>`count(*)::int`.as('n'))
        .as('attachment_count'),
    );
}

export interface MessageFilter {
  direction?: 'inbound' | 'outbound' | undefined;
  threadId?: string | undefined;
  flag?: string | undefined;
}

/** Newest first; ties broken by ID so pages never overlap. */
export async function listMessages(
  db: Kysely<Schema>,
  filter: MessageFilter,
  page: { offset: number; limit: number },
  scope: Scope = ALL,
): Promise<{ items: MailMessageSummary[]; total: number }> {
  // Mail is the team's own: no scope but `all` sees any of it.
  let where = db.selectFrom('mail_messages as m').where(scopeWhere(scope));
  let list = summaryQuery(db).where(scopeWhere(scope));
  if (filter.direction) {
    where = where.where('m.direction', '=', filter.direction);
    list = list.where('m.direction', '=', filter.direction);
  }
  if (filter.threadId) {
    where = where.where('m.thread_id', '=', filter.threadId);
    list = list.where('m.thread_id', '=', filter.threadId);
  }
  if (filter.flag) {
    where = where.where(sql<boolean>`m.flags @> ARRAY[${filter.flag}]::text[]`);
    list = list.where(sql<boolean>`m.flags @> ARRAY[${filter.flag}]::text[]`);
  }
  const total = await where.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  const rows = await list.orderBy('m.received_at', 'desc').orderBy('m.id', 'desc').offset(page.offset).limit(page.limit).execute();
  return { items: rows.map((row) => summaryRowToSummary(row as SummaryRow)), total: Number(total.n) };
}

export async function findMessage(db: Kysely<Schema>, id: string, scope: Scope = ALL): Promise<MailMessageDetail | null> {
  const row = await db.selectFrom('mail_messages').selectAll().where('id', '=', id).where(scopeWhere(scope)).executeTakeFirst();
  if (!row) return null;
  const thread = row.thread_id ? await db.selectFrom('mail_threads').select('key').where('id', '=', row.thread_id).executeTakeFirst() : undefined;
  const parts = await db.selectFrom('mail_parts').selectAll().where('message_id', '=', id).orderBy('ordinal').execute();
  return {
    ...summaryRowToSummary({ ...row, thread_key: thread?.key ?? null, attachment_count: parts.length }),
    messageId: row.message_id,
    inReplyTo: row.in_reply_to,
    references: row.references,
    cc: row.cc_addresses,
    sentAt: row.sent_at,
    statusDetail: row.status_detail,
    headers: row.headers,
    textBody: row.text_body,
    htmlText: row.html_text,
    hasHtml: row.html_body !== null,
    pgpFormat: row.pgp_format,
    pgpSignerKeyIds: row.pgp_signer_key_ids,
    pgpSignerFingerprint: row.pgp_signer_fingerprint,
    pgpDetail: row.pgp_detail,
    pgpCheckedAt: row.pgp_checked_at,
    deliveryDetail: row.delivery_detail,
    rawSize: Number(row.raw_size),
    rawSha256: row.raw_sha256,
    parts: parts.map(partRowToPart),
  };
}

export async function findPart(db: Kysely<Schema>, messageId: string, partId: string, scope: Scope = ALL): Promise<MailPart | null> {
  const row = await db
    .selectFrom('mail_parts')
    .selectAll()
    .where('message_id', '=', messageId)
    .where('id', '=', partId)
    .where(scopeWhere(scope))
    .executeTakeFirst();
  return row ? partRowToPart(row) : null;
}

export async function listThreads(
  db: Kysely<Schema>,
  page: { offset: number; limit: number },
  scope: Scope = ALL,
): Promise<{ items: MailThread[]; total: number }> {
  const total = await db
    .selectFrom('mail_threads')
    .select(sql<number>`count(*)::int`.as('n'))
    .where(scopeWhere(scope))
    .executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom('mail_threads as t')
    .select(['t.id', 't.key', 't.subject', 't.created_at', 't.last_message_at'])
    .where(scopeWhere(scope))
    .select((eb) =>
      eb
        .selectFrom('mail_messages as m')
        .whereRef('m.thread_id', '=', 't.id')
        .select(sql<number>`count(*)::int`.as('n'))
        .as('message_count'),
    )
    .orderBy('t.last_message_at', 'desc')
    .orderBy('t.id', 'desc')
    .offset(page.offset)
    .limit(page.limit)
    .execute();
  return {
    items: rows.map((r) => ({
      id: r.id,
      key: r.key,
      subject: r.subject,
      createdAt: r.created_at,
      lastMessageAt: r.last_message_at,
      messageCount: Number(r.message_count),
    })),
    total: Number(total.n),
  };
}

/** The thread a reply belongs to by the Message-IDs it answers (In-Reply-To first, then References, newest first). */
export async function threadByMessageIds(db: Kysely<Schema>, ids: readonly string[]): Promise<string | null> {
  if (ids.length === 0) return null;
  const row = await db
    .selectFrom('mail_messages')
    .select('thread_id')
    .where('message_id', 'in', [...ids])
    .where('thread_id', 'is not', null)
    .orderBy('received_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.thread_id ?? null;
}

export async function threadByKeys(db: Kysely<Schema>, keys: readonly string[]): Promise<string | null> {
  if (keys.length === 0) return null;
  const rows = await db
    .selectFrom('mail_threads')
    .select(['id', 'key'])
    .where('key', 'in', [...keys])
    .execute();
  // The first key in the subject that names a thread wins.
  for (const key of keys) {
    const hit = rows.find((r) => r.key === key);
    if (hit) return hit.id;
  }
  return null;
}

/** A new thread with a generated key `ML-<year>-<6 digits>`. */
export async function createThread(db: Kysely<Schema>, subject: string, key?: string): Promise<{ id: string; key: string }> {
  let threadKey = key;
  if (!threadKey) {
    const { n } = await sql<{ n: number }>`SELECT nextval('mail_thread_key_seq')::int AS n`.execute(db).then((r) => r.rows[0]!);
    threadKey = `ML-${new Date().getUTCFullYear()}-${String(n).padStart(6, '0')}`;
  }
  return db
    .insertInto('mail_threads')
    .values({ key: threadKey, subject: subject.slice(0, 500) })
    .returning(['id', 'key'])
    .executeTakeFirstOrThrow();
}

/** Moves a thread's `last_message_at` to now (a message joined it). */
export async function touchThread(trx: Kysely<Schema>, threadId: string): Promise<void> {
  await trx.updateTable('mail_threads').set({ last_message_at: new Date() }).where('id', '=', threadId).execute();
}

export async function findThreadById(db: Kysely<Schema>, id: string): Promise<{ id: string; key: string } | null> {
  return (await db.selectFrom('mail_threads').select(['id', 'key']).where('id', '=', id).executeTakeFirst()) ?? null;
}

export async function findThreadByKey(db: Kysely<Schema>, key: string): Promise<{ id: string; key: string } | null> {
  return (await db.selectFrom('mail_threads').select(['id', 'key']).where('key', '=', key).executeTakeFirst()) ?? null;
}

/** Serialises, until the transaction ends, the making of the thread with this key. */
export async function lockThreadKey(trx: Kysely<Schema>, key: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`mail.thread:${key}`}))`.execute(trx);
}

/** A message's thread and flags, its row locked until the transaction ends; null for no such message. */
export async function lockMessageFiling(trx: Kysely<Schema>, id: string): Promise<{ id: string; threadId: string | null; flags: string[] } | null> {
  const row = await trx.selectFrom('mail_messages').select(['id', 'thread_id', 'flags']).where('id', '=', id).forUpdate().executeTakeFirst();
  return row ? { id: row.id, threadId: row.thread_id, flags: row.flags } : null;
}

/** Files a message under a thread with these flags. */
export async function setMessageThread(trx: Kysely<Schema>, id: string, threadId: string, flags: string[]): Promise<void> {
  await trx.updateTable('mail_messages').set({ thread_id: threadId, flags }).where('id', '=', id).execute();
}

/** One stored MIME part of a message (an attachment, or a file of a sent message). */
export interface StoredPart {
  /** NULL = the part was not named. */
  filename: string | null;
  contentType: string;
  disposition: string | null;
  contentId: string | null;
  size: number;
  sha256: string;
  fromEncrypted: boolean;
}

/** The files of a message (in order) as `mail_parts` rows. */
export async function insertParts(trx: Kysely<Schema>, messageId: string, parts: readonly StoredPart[]): Promise<void> {
  if (parts.length === 0) return;
  await trx
    .insertInto('mail_parts')
    .values(
      parts.map((p, ordinal) => ({
        message_id: messageId,
        ordinal,
        filename: p.filename,
        content_type: p.contentType,
        disposition: p.disposition,
        content_id: p.contentId,
        size: p.size,
        sha256: p.sha256,
        from_encrypted: p.fromEncrypted,
      })),
    )
    .execute();
}
