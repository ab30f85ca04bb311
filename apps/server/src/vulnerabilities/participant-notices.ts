import { type Kysely, type SqlBool, sql } from 'kysely';
import { tlpLabel } from '@renkei/contract';
import type { OrganisationRef } from '../contacts/index.ts';
import type { Schema } from '../db/schema/index.ts';
import type { MailService, PreparedMail } from '../mail/index.ts';
import { systemContext } from '../policy/actor.ts';
import { vendorThreadKey } from './case-mail-keys.ts';

export interface NoticeDeps {
  db: Kysely<Schema>;
  mail: Pick<MailService, 'ensureThread' | 'prepareSend' | 'queue'>;
  organisationsByIds: (ids: readonly string[]) => Promise<Map<string, OrganisationRef>>;
  /** The instance's public address, for the link to the case. */
  publicUrl: string;
}

export type NoticePayload =
  | { caseId: string; messageId: string }
  | { caseId: string; participantId: string }
  /** The n-th reminder to a vendor that has not answered. */
  | { caseId: string; participantId: string; reminder: number };

type NoticeKind = 'message' | 'shared' | 'reminder';

type Language = 'ja' | 'en';

/**
 * What a participant's mail says. In clear only that there is news and where to log in: nothing of the
 * case beyond its reference. Encrypted to the recipient's key, the message itself.
 */
function noticeText(language: Language | 'both', reference: string, link: string, kind: NoticeKind, body: string | null) {
  const ja =
    kind === 'reminder'
      ? `脆弱性調整案件 ${reference} について、まだご回答をいただいておりません。ログインして、製品への影響の有無をお知らせください。\n${link}`
      : kind === 'shared'
        ? `脆弱性調整案件 ${reference} があなたの組織に共有されました。ログインしてご確認ください。\n${link}`
        : `案件 ${reference} に新しい情報があります。ログインしてご確認ください。\n${link}`;
  const en =
    kind === 'reminder'
      ? `We have not yet had your answer on the vulnerability case ${reference}. Please log in and tell us whether your products are affected.\n${link}`
      : kind === 'shared'
        ? `The vulnerability case ${reference} was shared with your organisation. Please log in to read it.\n${link}`
        : `There is news on case ${reference}. Please log in to read it.\n${link}`;
  const text = language === 'ja' ? ja : language === 'en' ? en : `${ja}\n\n${en}`;
  const subject =
    language === 'en' ? `News on ${reference}` : language === 'ja' ? `${reference} 更新のお知らせ` : `${reference} 更新のお知らせ / News on ${reference}`;
  return { subject, clear: text, encrypted: body ? `${text}\n\n----\n${body}` : text };
}

function languageOf(organisation: OrganisationRef): Language | 'both' {
  const first = organisation.languages[0];
  return first === 'ja' || first === 'en' ? first : 'both';
}

/**
 * The job behind `vulnerabilities.notify-participants`: the mail to each participant a change concerns,
 * all queued in one transaction (a retried job after a crash queues them again only if none was).
 */
export function createParticipantNotifier(deps: NoticeDeps) {
  const { db } = deps;
  const ctx = systemContext('vulnerabilities');

  async function recipientsOf(payload: NoticePayload): Promise<{ participantIds: string[]; body: string | null; kind: NoticeKind }> {
    if ('participantId' in payload) return { participantIds: [payload.participantId], body: null, kind: 'reminder' in payload ? 'reminder' : 'shared' };
    const message = await db.selectFrom('case_messages').selectAll().where('id', '=', payload.messageId).executeTakeFirst();
    if (!message) return { participantIds: [], body: null, kind: 'message' };
    if (message.private_to) {
      // A participant's private message goes to the team, who read it in the app.
      return { participantIds: message.author_participant ? [] : [message.private_to], body: message.body, kind: 'message' };
    }
    const shared = await db.selectFrom('case_participants').select('id').where('case_id', '=', payload.caseId).where('shared_at', 'is not', null).execute();
    return { participantIds: shared.map((p) => p.id).filter((id) => id !== message.author_participant), body: message.body, kind: 'message' };
  }

  return {
    async notifyParticipants(payload: NoticePayload): Promise<{ queued: number }> {
      const theCase = await db.selectFrom('vulnerability_cases').select(['id', 'reference']).where('id', '=', payload.caseId).executeTakeFirst();
      if (!theCase) return { queued: 0 };
      // A retry after the mails were queued (the worker died before finishing the job) queues nothing more.
      const key = noticeKey(payload);
      if (await alreadyNotified(db, theCase.id, key)) return { queued: 0 };
      const { participantIds, body, kind } = await recipientsOf(payload);
      if (participantIds.length === 0) return { queued: 0 };
      const participants = await db
        .selectFrom('case_participants')
        .select(['id', 'organisation_id'])
        .where('id', 'in', participantIds)
        .where('shared_at', 'is not', null)
        .execute();
      const organisations = await deps.organisationsByIds(participants.flatMap((p) => (p.organisation_id ? [p.organisation_id] : [])));
      const link = `${deps.publicUrl.replace(/\/$/, '')}/app/cases/${theCase.id}`;
      const prepared: PreparedMail[] = [];
      for (const participant of participants) {
        const organisation = participant.organisation_id ? organisations.get(participant.organisation_id) : undefined;
        if (!organisation?.contactEmail) continue;
        const text = noticeText(languageOf(organisation), theCase.reference, link, kind, body);
        const thread = await deps.mail.ensureThread(vendorThreadKey(theCase.reference, participant.id), text.subject);
        const send = (content: string) =>
          deps.mail.prepareSend(ctx, {
            to: organisation.contactEmail!,
            subject: `[${theCase.reference}] ${text.subject}`,
            text: content,
            tlp: tlpLabel('amber'),
            threadId: thread.id,
          });
        // Prepared with the message first: only when it can be encrypted does the message go out.
        const full = await send(text.encrypted);
        prepared.push(full.encrypted || text.encrypted === text.clear ? full : await send(text.clear));
      }
      if (prepared.length === 0) return { queued: 0 };
      await db.transaction().execute(async (trx) => {
        for (const mail of prepared) await deps.mail.queue(trx, ctx, mail);
        await trx
          .insertInto('case_events')
          .values({ case_id: theCase.id, kind: 'participants_notified', detail: JSON.stringify({ key, count: prepared.length }), actor_id: null })
          .execute();
      });
      return { queued: prepared.length };
    },
  };
}

async function alreadyNotified(db: Kysely<Schema>, caseId: string, key: string): Promise<boolean> {
  const row = await db
    .selectFrom('case_events')
    .select('id')
    .where('case_id', '=', caseId)
    .where('kind', '=', 'participants_notified')
    .where(sql<SqlBool>`detail->>'key' = ${key}`)
    .executeTakeFirst();
  return row !== undefined;
}

/** The one key of a notice: a retried job finds the notice it already queued by it. */
export function noticeKey(payload: NoticePayload): string {
  if ('messageId' in payload) return `message:${payload.messageId}`;
  return 'reminder' in payload ? `reminder:${payload.participantId}:${payload.reminder}` : `shared:${payload.participantId}`;
}
