import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { FeedNotification, FeedNotificationDetail } from '@renkei/contract';
import { isTlpLevel, tlpLabel } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { BadRequestError, NotFoundError } from '../kernel/errors.ts';
import { type PreparedMail, renderTemplate } from '../mail/index.ts';
import { type RequestContext, systemContext } from '../policy/actor.ts';
import { ALL, type Scope } from '../policy/scope.ts';
import { once } from './feed-streams.ts';
import { listNotificationEventRows } from './feeds.repository.ts';
import { feedsPolicy } from './feeds.policy.ts';
import { presentEvent, presentNotification } from './feeds.presenter.ts';
import type { FeedsDeps, FeedsServiceOptions } from './feeds.types.ts';
import { FEED_NOTIFICATION_TEMPLATE, notificationFiles, notificationSummary, withheldNote } from './notification-render.ts';
import {
  findNotification,
  findNotificationToDeliver,
  insertPendingNotification,
  lastNotificationAt,
  linkPendingEvents,
  listNotificationRows,
  lockNotificationState,
  lockRecipient,
  markNotificationFailed,
  markNotificationQueued,
  markNotificationWithheld,
  nextNotificationNumber,
  notifiedEvents,
  pendingNotificationIds,
  recipientOrganisation,
  recipientsWithPendingEvents,
  upsertRecipientSettings,
} from './notifications.repository.ts';

/**
 * Notifications: a recipient's pending events linked to one notification, rendered (CSV or X-ARF) and
 * handed to mail through the outbox; the recipients' settings.
 * @example const { notifications } = await createNotificationsService(deps, options).notifyDue(systemContext('feeds.notify'));
 */
export function createNotificationsService(deps: FeedsDeps, options: FeedsServiceOptions) {
  const { db, blobs } = deps;

  async function getNotificationRow(id: string, scope: Scope = ALL): Promise<FeedNotification | null> {
    const row = await findNotification(db, id, scope);
    return row ? presentNotification(row) : null;
  }

  /** Builds, stores and mails one notification whose events are linked; idempotent on a notification already queued. */
  async function deliver(notificationId: string): Promise<FeedNotification> {
    const n = await findNotificationToDeliver(db, notificationId);
    if (!n) throw new NotFoundError('feed_notification_not_found', 'No such notification');
    if (n.state !== 'pending') return (await getNotificationRow(notificationId))!;
    if (n.eventCount === 0) {
      await markNotificationWithheld(db, n.id);
      return (await getNotificationRow(notificationId))!;
    }
    const events = await notifiedEvents(db, n.id);
    const self = await deps.team();
    const format = n.format === 'xarf' ? 'xarf' : 'csv';
    const { stored: file, files, headers } = notificationFiles(format, n.key, events, self.contactEmail ?? self.name);
    const stored = await blobs.put(once(file));
    const language = n.language === 'ja' ? 'ja' : 'en';
    const team = self.name;
    const tlp = tlpLabel(isTlpLevel(n.tlp) ? n.tlp : 'amber');
    const rendered = renderTemplate(
      FEED_NOTIFICATION_TEMPLATE,
      language,
      {
        team,
        name: (language === 'ja' ? n.orgNameJa : null) ?? n.orgName ?? n.recipient,
        reference: n.key,
        count: String(events.length),
        withheld: withheldNote(language, n.withheldCount),
        format: format === 'xarf' ? 'X-ARF 0.2' : 'CSV',
        filename: files.map((f) => f.filename).join(', '),
        summary: notificationSummary(language, events),
      },
      tlp,
    );
    const ctx = systemContext('feeds.notify');
    let prepared: PreparedMail;
    try {
      // X-ARF wants the human text as its first part, so it goes without the HTML alternative.
      prepared = await deps.mail().prepareSend(ctx, {
        to: n.recipient,
        subject: rendered.subject,
        text: rendered.text,
        html: format === 'xarf' ? undefined : rendered.html,
        tlp,
        attachments: files,
        headers,
      });
    } catch (error) {
      await markNotificationFailed(db, n.id, stored.sha256, (error instanceof Error ? error.message : String(error)).slice(0, 1000));
      return (await getNotificationRow(notificationId))!;
    }
    // The outbox row and the notification's state commit together: a crash leaves neither or both.
    await db.transaction().execute(async (trx) => {
      const still = await lockNotificationState(trx, n.id);
      // Another run queued it meanwhile: this one's composed copy is dropped (its blobs are shared and harmless).
      if (still !== 'pending') return;
      const message = await deps.mail().queue(trx, ctx, prepared);
      await markNotificationQueued(trx, n.id, { attachmentSha256: stored.sha256, mailMessageId: message.id, threadId: message.threadId });
    });
    return (await getNotificationRow(notificationId))!;
  }

  return {
    /**
     * The notification job: first delivers notifications left pending (a worker died between linking and
     * sending), then opens one per recipient whose interval has passed (all of them with `force`) and delivers it.
     */
    async notifyDue(ctx: RequestContext, input: { force?: boolean; now?: Date } = {}): Promise<{ notifications: FeedNotification[] }> {
      feedsPolicy.authorize(ctx.actor, 'notifications.send');
      const now = input.now ?? new Date();
      const out: FeedNotification[] = [];
      for (const id of await pendingNotificationIds(db)) out.push(await deliver(id));
      for (const recipient of await recipientsWithPendingEvents(db)) {
        const id = await openNotification(db, recipient, { now, force: input.force ?? false, maxEvents: options.maxEventsPerNotification });
        if (id) out.push(await deliver(id));
      }
      return { notifications: out };
    },

    async listNotifications(
      ctx: RequestContext,
      filter: { recipient?: string | undefined; state?: string | undefined },
      page: { offset: number; limit: number },
    ): Promise<{ items: FeedNotification[]; total: number }> {
      const scope = feedsPolicy.listScope(ctx.actor, 'notifications.read');
      const { rows, total } = await listNotificationRows(db, filter, page, scope);
      return { items: rows.map(presentNotification), total };
    },

    async getNotification(ctx: RequestContext, id: string): Promise<FeedNotificationDetail> {
      const notFound = () => new NotFoundError('feed_notification_not_found', 'No such notification');
      const notification = await getNotificationRow(id, feedsPolicy.detailScope(ctx.actor, 'notifications.read', notFound));
      if (!notification) throw notFound();
      const events = await listNotificationEventRows(db, id, 100);
      const replies = notification.threadId ? (await deps.mail().listMessages(ctx, { threadId: notification.threadId }, { offset: 0, limit: 100 })).items : [];
      return {
        ...notification,
        events: events.map(presentEvent),
        replies: replies.map((m) => ({
          id: m.id,
          direction: m.direction,
          subject: m.subject,
          fromAddress: m.fromAddress,
          receivedAt: m.receivedAt.toISOString(),
        })),
      };
    },

    /** The notification's report file (CSV or X-ARF) as it was mailed. */
    async openNotificationFile(ctx: RequestContext, id: string): Promise<{ fileName: string; stream: Readable }> {
      const notFound = () => new NotFoundError('feed_notification_file_not_found', 'This notification has no file (yet)');
      const n = await getNotificationRow(id, feedsPolicy.detailScope(ctx.actor, 'notifications.read', notFound));
      if (!n?.attachmentSha256) throw notFound();
      return { fileName: `${n.key}.${n.format === 'xarf' ? 'xarf.yaml' : 'csv'}`, stream: await blobs.open(n.attachmentSha256) };
    },

    /** Sets how often, and in which format, an organisation hears from us. */
    async setRecipientSettings(
      ctx: RequestContext,
      organisationId: string,
      settings: { intervalMinutes: number; format?: 'csv' | 'xarf' | null; paused?: boolean },
    ): Promise<void> {
      feedsPolicy.authorize(ctx.actor, 'notifications.send');
      if (!Number.isInteger(settings.intervalMinutes) || settings.intervalMinutes < 5 || settings.intervalMinutes > 44640)
        throw new BadRequestError('invalid_interval', 'The interval must be 5 minutes to 31 days');
      await upsertRecipientSettings(db, organisationId, {
        interval_minutes: settings.intervalMinutes,
        format: settings.format ?? null,
        paused: settings.paused ?? false,
      });
    },
  };
}

/** Links a recipient's pending events to a new notification (one transaction, serialised per recipient). */
async function openNotification(db: Kysely<Schema>, recipient: string, input: { now: Date; force: boolean; maxEvents: number }): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    await lockRecipient(trx, recipient);
    const org = await recipientOrganisation(trx, recipient);
    if (!org || org.paused) return null;
    const last = await lastNotificationAt(trx, recipient);
    const interval = (org.interval_minutes ?? 1440) * 60_000;
    if (!input.force && last && input.now.getTime() - last.getTime() < interval) return null;
    const format = org.format ?? (org.preferred_format === 'xarf' ? 'xarf' : 'csv');
    const language = org.languages.find((l) => l === 'ja' || l === 'en') ?? 'en';
    const ceiling = isTlpLevel(org.tlp_ceiling) ? org.tlp_ceiling : 'amber';
    const key = `FN-${input.now.getUTCFullYear()}-${String(await nextNotificationNumber(trx)).padStart(6, '0')}`;
    const id = await insertPendingNotification(trx, { key, organisationId: org.id, recipient, format, language, tlpCeiling: ceiling });
    const t = await linkPendingEvents(trx, id, recipient, ceiling, input.maxEvents);
    await recordAudit(trx, systemContext('feeds.notify'), {
      action: 'feeds.notification.create',
      targetType: 'feed_notification',
      targetId: id,
      after: { key, recipient, format, language, tlpCeiling: ceiling, events: t.sent, withheld: t.withheld },
    });
    return id;
  });
}
