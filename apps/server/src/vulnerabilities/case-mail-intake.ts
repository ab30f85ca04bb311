import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { cleanText } from '../kernel/text.ts';
import { type MailService, bracketTokens } from '../mail/index.ts';
import { systemContext } from '../policy/actor.ts';
import { caseOfKey, vendorThreadKey } from './case-mail-keys.ts';
import { appendCaseEvent, touchCase } from './cases.repository.ts';
import { caseMessageOfMail, findCaseByReference, markBounceRecorded, unbouncedMailsOf, vendorParticipantsOf } from './vendor-mail.repository.ts';

/** Files one inbound message that concerns a case (a vendor's reply, a DSN of a case mail); enqueued by the composition root. */
export const CASE_MAIL_JOB = 'vulnerabilities.case-mail';

export type CaseMailOutcome = { outcome: 'reply' | 'bounce' | 'not_participant' | 'skipped' | 'exists' };

export interface CaseMailIntakeDeps {
  db: Kysely<Schema>;
  mail: Pick<MailService, 'getMessage' | 'deliveryOf' | 'ensureThread' | 'assignThread'>;
  /** The organisations an address belongs to in the directory (contact address, people, role addresses). */
  organisationIdsOfAddress: (address: string) => Promise<string[]>;
  /** A message that may not be filed on a case goes to the ordinary intake. */
  jobs: Pick<JobQueue, 'enqueue'>;
  now: () => Date;
}

type Message = Awaited<ReturnType<MailService['getMessage']>>;

/**
 * The case mail intake (job `vulnerabilities.case-mail`): a reply from an address of a vendor of the case
 * becomes a private vendor↔team message on it (already decrypted by the mail domain; the original stays in
 * the mailbox, filed in the vendor's thread); a DSN of a case mail becomes a bounced contact attempt. Mail
 * naming a case from anyone else is never filed on it and tells its sender nothing: it goes to the
 * ordinary intake, which leaves an unmatched reply for a person to sort. Idempotent per message.
 */
export function createCaseMailIntake(deps: CaseMailIntakeDeps) {
  const { db, mail, now } = deps;
  const ctx = systemContext('case-mail-intake');

  /** The case and its vendor participant this message may be filed under, or null. */
  async function matchParticipant(message: Message) {
    const keys = [message.threadKey, ...bracketTokens().find(message.subject)].flatMap((k) => (k ? [caseOfKey(k)] : [])).filter((k) => k !== null);
    const named = keys[0];
    if (!named || !message.fromAddress) return null;
    const theCase = await findCaseByReference(db, named.reference);
    if (!theCase) return null;
    const senders = new Set(await deps.organisationIdsOfAddress(message.fromAddress));
    const vendors = await vendorParticipantsOf(db, theCase.id);
    const prefix = keys.find((k) => k.reference === named.reference && k.participantPrefix)?.participantPrefix ?? null;
    const participant = vendors.find((v) => senders.has(v.organisation_id!) && (prefix === null || v.id.startsWith(prefix)));
    return participant ? { theCase, participant: { id: participant.id, organisationId: participant.organisation_id! } } : null;
  }

  async function fileReply(message: Message, match: NonNullable<Awaited<ReturnType<typeof matchParticipant>>>): Promise<CaseMailOutcome> {
    const { theCase, participant } = match;
    const text = cleanText(message.textBody || message.htmlText || '', 90_000).trim();
    const body = `${cleanText(message.subject, 500)}\n\n${text || '(no text)'}`;
    const at = now();
    try {
      await db.transaction().execute(async (trx) => {
        const created = await trx
          .insertInto('case_messages')
          .values({
            case_id: theCase.id,
            private_to: participant.id,
            author_id: null,
            author_participant: participant.id,
            body,
            mail_message_id: message.id,
            created_at: at,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('case_contact_attempts')
          .values({
            case_id: theCase.id,
            organisation_id: participant.organisationId,
            channel: 'mail',
            outcome: 'answered',
            note: 'reply by mail',
            mail_message_id: message.id,
            recorded_by: null,
            attempted_at: at,
          })
          .execute();
        await appendCaseEvent(trx, {
          caseId: theCase.id,
          kind: 'vendor_mail_reply',
          detail: { messageId: created.id, mailMessageId: message.id, encrypted: message.pgpEncryption !== 'none' },
          organisationId: participant.organisationId,
          actorId: null,
          at,
        });
        await touchCase(trx, theCase.id, at);
      });
    } catch (error) {
      // A racing run filed it first (case_messages_mail_message).
      if ((error as { code?: unknown }).code === '23505') return { outcome: 'exists' };
      throw error;
    }
    // The original joins the vendor's thread in the mailbox (a reply that named only the case was unmatched).
    const thread = await mail.ensureThread(vendorThreadKey(theCase.reference, participant.id), message.subject || theCase.reference);
    if (message.threadId !== thread.id) await mail.assignThread(ctx, message.id, thread.id);
    return { outcome: 'reply' };
  }

  /** A DSN in a vendor's thread: each of that vendor's case mails it (or an earlier one) bounced becomes a bounced contact attempt. */
  async function fileBounce(message: Message): Promise<CaseMailOutcome> {
    const named = message.threadKey ? caseOfKey(message.threadKey) : null;
    if (!named?.participantPrefix) return { outcome: 'skipped' };
    const theCase = await findCaseByReference(db, named.reference);
    if (!theCase) return { outcome: 'skipped' };
    const participant = (await vendorParticipantsOf(db, theCase.id)).find((v) => v.id.startsWith(named.participantPrefix!));
    if (!participant) return { outcome: 'skipped' };
    const mails = await unbouncedMailsOf(db, participant.id);
    const deliveries = await mail.deliveryOf(mails.map((m) => m.mail_message_id));
    const bounced = mails.filter((m) => ['bounced', 'failed'].includes(deliveries.get(m.mail_message_id)?.deliveryStatus ?? ''));
    for (const sent of bounced) {
      const at = now();
      await db.transaction().execute(async (trx) => {
        if (!(await markBounceRecorded(trx, sent.id, at))) return;
        const detail = deliveries.get(sent.mail_message_id)?.deliveryDetail ?? '';
        await trx
          .insertInto('case_contact_attempts')
          .values({
            case_id: theCase.id,
            organisation_id: sent.organisation_id,
            channel: 'mail',
            outcome: 'bounced',
            note: cleanText(`${sent.template} to ${sent.to_address} bounced${detail ? `: ${detail}` : ''}`, 2_000),
            mail_message_id: sent.mail_message_id,
            recorded_by: null,
            attempted_at: at,
          })
          .execute();
        await appendCaseEvent(trx, {
          caseId: theCase.id,
          kind: 'vendor_mail_bounced',
          detail: { caseMailId: sent.id, mailMessageId: sent.mail_message_id, dsnMessageId: message.id },
          organisationId: sent.organisation_id,
          actorId: null,
          at,
        });
        await touchCase(trx, theCase.id, at);
      });
    }
    return { outcome: 'bounce' };
  }

  return {
    async intakeCaseMail(messageId: string): Promise<CaseMailOutcome> {
      if (await caseMessageOfMail(db, messageId)) return { outcome: 'exists' };
      const message = await mail.getMessage(ctx, messageId);
      if (message.direction !== 'inbound') return { outcome: 'skipped' };
      if (message.flags.includes('dsn')) return fileBounce(message);
      const match = message.flags.includes('auto_reply') ? null : await matchParticipant(message);
      if (match) return fileReply(message, match);
      await deps.jobs.enqueue('incidents.intake-mail', { messageId }, { idempotencyKey: messageId });
      return { outcome: 'not_participant' };
    },
  };
}
