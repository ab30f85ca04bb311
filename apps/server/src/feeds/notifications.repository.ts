import { type Kysely, sql } from 'kysely';
import type { TlpLevel } from '@renkei/contract';
import type { Schema } from '../db/schema/index.ts';
import { tlpAtMost, tlpOfRank, tlpRankSql } from '../kernel/tlp.ts';
import { ALL, type Scope, scopeWhere } from '../policy/scope.ts';
import type { NotificationRow } from './feeds.repository.ts';
import type { NotifiedEvent } from './notification-render.ts';

/** Notifications per recipient (`feed_notifications`), the events linked to them and the recipients' settings. */

export async function findNotification(db: Kysely<Schema>, id: string, scope: Scope = ALL): Promise<NotificationRow | undefined> {
  return db
    .selectFrom('feed_notifications')
    .selectAll()
    .where('id', '=', id)
    .where(scopeWhere(scope, { organisation: sql.ref('organisation_id') }))
    .executeTakeFirst();
}

export interface NotificationToDeliver {
  id: string;
  key: string;
  recipient: string;
  format: string;
  language: string;
  tlp: string | null;
  state: string;
  eventCount: number;
  withheldCount: number;
  orgName: string | null;
  orgNameJa: string | null;
}

export async function findNotificationToDeliver(db: Kysely<Schema>, id: string): Promise<NotificationToDeliver | undefined> {
  const n = await db
    .selectFrom('feed_notifications as n')
    .leftJoin('organisations as o', 'o.id', 'n.organisation_id')
    .select([
      'n.id',
      'n.key',
      'n.recipient',
      'n.format',
      'n.language',
      'n.tlp',
      'n.state',
      'n.event_count',
      'n.withheld_count',
      'o.name as org_name',
      'o.name_ja as org_name_ja',
    ])
    .where('n.id', '=', id)
    .executeTakeFirst();
  if (!n) return undefined;
  return {
    id: n.id,
    key: n.key,
    recipient: n.recipient,
    format: n.format,
    language: n.language,
    tlp: n.tlp,
    state: n.state,
    eventCount: n.event_count,
    withheldCount: n.withheld_count,
    orgName: n.org_name,
    orgNameJa: n.org_name_ja,
  };
}

export async function markNotificationWithheld(db: Kysely<Schema>, id: string): Promise<void> {
  await db.updateTable('feed_notifications').set({ state: 'withheld' }).where('id', '=', id).execute();
}

/** The events a notification sends (not the withheld ones), in insertion order. */
export async function notifiedEvents(db: Kysely<Schema>, notificationId: string): Promise<NotifiedEvent[]> {
  const rows = await db
    .selectFrom('feed_events')
    .select(['observed_at', 'ip', 'port', 'protocol', 'hostname', 'tag', 'asn', 'country', 'report_type', 'taxonomy', 'type', 'extra'])
    .where('notification_id', '=', notificationId)
    .where('withheld', '=', false)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    observedAt: r.observed_at,
    ip: r.ip,
    port: r.port,
    protocol: r.protocol,
    hostname: r.hostname,
    tag: r.tag,
    asn: r.asn === null ? null : Number(r.asn),
    country: r.country,
    reportType: r.report_type,
    taxonomy: r.taxonomy,
    type: r.type,
    extra: r.extra,
  }));
}

/** Marks a still pending notification failed. */
export async function markNotificationFailed(db: Kysely<Schema>, id: string, attachmentSha256: string, error: string): Promise<void> {
  await db
    .updateTable('feed_notifications')
    .set({ state: 'failed', attachment_sha256: attachmentSha256, error })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .execute();
}

/** The notification's state, its row locked for the rest of the transaction. */
export async function lockNotificationState(trx: Kysely<Schema>, id: string): Promise<string | undefined> {
  const row = await trx.selectFrom('feed_notifications').select('state').where('id', '=', id).forUpdate().executeTakeFirst();
  return row?.state;
}

export async function markNotificationQueued(
  trx: Kysely<Schema>,
  id: string,
  queued: { attachmentSha256: string; mailMessageId: string; threadId: string | null },
): Promise<void> {
  await trx
    .updateTable('feed_notifications')
    .set({
      state: 'queued',
      attachment_sha256: queued.attachmentSha256,
      mail_message_id: queued.mailMessageId,
      thread_id: queued.threadId,
      queued_at: new Date(),
      error: null,
    })
    .where('id', '=', id)
    .execute();
}

/** Serialises the opening of notifications for one recipient until the transaction ends. */
export async function lockRecipient(trx: Kysely<Schema>, recipient: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`feeds.notify:${recipient}`}))`.execute(trx);
}

/**
 * The runs whose events may be notified: completed ones only. A run still going (or killed mid-way, until
 * the sweep fails it) has stored some of its events, and none of them goes out before the run has ended.
 */
const completedRuns = (db: Kysely<Schema>) => db.selectFrom('feed_runs').select('id').where('state', '=', 'completed');

/** The organisation behind a recipient's pending events, with its notification settings. */
export async function recipientOrganisation(trx: Kysely<Schema>, recipient: string) {
  return trx
    .selectFrom('feed_events as e')
    .innerJoin('organisations as o', 'o.id', 'e.organisation_id')
    .leftJoin('feed_recipient_settings as s', 's.organisation_id', 'o.id')
    .select(['o.id', 'o.preferred_format', 'o.tlp_ceiling', 'o.languages', 's.interval_minutes', 's.format', 's.paused'])
    .where('e.recipient', '=', recipient)
    .where('e.notification_id', 'is', null)
    .where('e.run_id', 'in', completedRuns(trx))
    .limit(1)
    .executeTakeFirst();
}

export async function lastNotificationAt(trx: Kysely<Schema>, recipient: string): Promise<Date | null> {
  const last = await trx
    .selectFrom('feed_notifications')
    .select('created_at')
    .where('recipient', '=', recipient)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return last ? last.created_at : null;
}

export async function nextNotificationNumber(trx: Kysely<Schema>): Promise<number> {
  const seq = await sql<{ n: number }>`SELECT nextval('feed_notification_key_seq')::int AS n`.execute(trx);
  return seq.rows[0]!.n;
}

export async function insertPendingNotification(
  trx: Kysely<Schema>,
  values: { key: string; organisationId: string; recipient: string; format: string; language: string; tlpCeiling: string },
): Promise<string> {
  const created = await trx
    .insertInto('feed_notifications')
    .values({
      key: values.key,
      organisation_id: values.organisationId,
      recipient: values.recipient,
      format: values.format,
      language: values.language,
      tlp_ceiling: values.tlpCeiling,
      tlp: null,
      state: 'pending',
      error: null,
      attachment_sha256: null,
      mail_message_id: null,
      thread_id: null,
      queued_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return created.id;
}

/**
 * Links up to `limit` of the recipient's pending events to the notification, withholding those above the
 * TLP ceiling, and stores the counts and the highest TLP sent on the notification.
 */
export async function linkPendingEvents(
  trx: Kysely<Schema>,
  notificationId: string,
  recipient: string,
  ceiling: TlpLevel,
  limit: number,
): Promise<{ sent: number; withheld: number }> {
  // An event whose TLP is above the ceiling, or not a TLP level at all, is withheld.
  const rank = tlpRankSql(sql.ref('tlp'));
  await sql`
    UPDATE feed_events SET notification_id = ${notificationId}, withheld = ${tlpAtMost(sql.ref('tlp'), ceiling)} IS NOT TRUE
    WHERE id IN (SELECT id FROM feed_events WHERE recipient = ${recipient} AND notification_id IS NULL
      AND run_id IN (SELECT id FROM feed_runs WHERE state = 'completed') ORDER BY id LIMIT ${limit})`.execute(trx);
  const totals = await sql<{ sent: number; withheld: number; top: number | null }>`
    SELECT count(*) FILTER (WHERE NOT withheld)::int AS sent, count(*) FILTER (WHERE withheld)::int AS withheld, max(${rank}) FILTER (WHERE NOT withheld) AS top
    FROM feed_events WHERE notification_id = ${notificationId}`.execute(trx);
  const t = totals.rows[0]!;
  await trx
    .updateTable('feed_notifications')
    .set({ event_count: t.sent, withheld_count: t.withheld, tlp: tlpOfRank(t.top) })
    .where('id', '=', notificationId)
    .execute();
  return { sent: t.sent, withheld: t.withheld };
}

export async function pendingNotificationIds(db: Kysely<Schema>): Promise<string[]> {
  const rows = await db.selectFrom('feed_notifications').select('id').where('state', '=', 'pending').orderBy('created_at').execute();
  return rows.map((r) => r.id);
}

/** Recipients with events of finished runs not yet linked to a notification. */
export async function recipientsWithPendingEvents(db: Kysely<Schema>): Promise<string[]> {
  const rows = await db
    .selectFrom('feed_events')
    .select('recipient')
    .distinct()
    .where('notification_id', 'is', null)
    .where('recipient', 'is not', null)
    .where('run_id', 'in', completedRuns(db))
    .execute();
  return rows.map((r) => r.recipient!);
}

export async function listNotificationRows(
  db: Kysely<Schema>,
  filter: { recipient?: string | undefined; state?: string | undefined },
  page: { offset: number; limit: number },
  scope: Scope,
): Promise<{ rows: NotificationRow[]; total: number }> {
  let q = db.selectFrom('feed_notifications').where(scopeWhere(scope, { organisation: sql.ref('organisation_id') }));
  if (filter.recipient) q = q.where('recipient', '=', filter.recipient.toLowerCase());
  if (filter.state) q = q.where('state', '=', filter.state);
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('created_at', 'desc').orderBy('id').offset(page.offset).limit(page.limit).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function upsertRecipientSettings(
  db: Kysely<Schema>,
  organisationId: string,
  values: { interval_minutes: number; format: string | null; paused: boolean },
): Promise<void> {
  await db
    .insertInto('feed_recipient_settings')
    .values({ organisation_id: organisationId, ...values })
    .onConflict((oc) => oc.column('organisation_id').doUpdateSet(values))
    .execute();
}
