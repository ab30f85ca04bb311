import { tlpLabel } from '@renkei/contract';
import { sql } from 'kysely';
import type { MailService, PreparedMail } from '../mail/index.ts';
import { AppError, ConflictError } from '../kernel/errors.ts';
import { cleanText } from '../kernel/text.ts';
import { type RequestContext, actorId } from '../policy/actor.ts';
import { sharedParticipantAddresses } from './advisories.repository.ts';
import type { AdvisoriesDeps } from './advisories.service.ts';
import { createCaseAccess } from './case-access.ts';
import { appendCaseEvent } from './cases.repository.ts';
import { publishInTransaction } from './publication.ts';

/**
 * What each participant is told when the embargo is lifted early. Unencrypted mail says only that there
 * is news and to log in; a recipient whose PGP key the directory holds (the message is then encrypted)
 * also reads why. Both languages in one message: the recipient's language is not always known.
 */
export function releaseNotice(reference: string, detail: { reason: string } | null): { subject: string; text: string } {
  const ja = [`${reference} について新しいお知らせがあります。Renkei にログインしてご確認ください。`];
  const en = [`There is news about ${reference}. Please log in to Renkei to read it.`];
  if (detail) {
    ja.push('', '悪用が確認されたため、合意していた公表日時を待たずに公表します。', `理由: ${detail.reason}`);
    en.push('', 'Exploitation was seen: the advisory is published now, before the agreed instant.', `Reason: ${detail.reason}`);
  }
  return { subject: `[${reference}] お知らせ / News`, text: [...ja, '', '---', '', ...en].join('\n') };
}

type ReleaseDeps = AdvisoriesDeps & { mail: Pick<MailService, 'ensureThread' | 'prepareSend' | 'queue'> };

/**
 * Releases a case early: exploitation was seen, so the agreed embargo becomes `released` (or a released
 * one is recorded if none was agreed) and the case is published now if an approved revision exists (else
 * at its approval). Every shared participant is told at once: one message per contact address, queued in
 * the same transaction.
 */
export function createReleaseEarly(deps: ReleaseDeps) {
  const { db, now } = deps;
  const { openForTeam, recordChange } = createCaseAccess(deps);

  /** One message per address, made before the transaction (signing and encryption read the directory). */
  async function prepareNotices(ctx: RequestContext, reference: string, caseId: string, reason: string): Promise<PreparedMail[]> {
    const recipients = await sharedParticipantAddresses(db, caseId);
    const addresses = [...new Set(recipients.map((r) => r.address.toLowerCase()))];
    const plain = releaseNotice(reference, null);
    const thread = await deps.mail.ensureThread(`${reference}-release`, plain.subject);
    const prepared: PreparedMail[] = [];
    for (const to of addresses) {
      const detailed = releaseNotice(reference, { reason });
      const withDetail = await deps.mail.prepareSend(ctx, { to, ...detailed, tlp: tlpLabel('amber'), threadId: thread.id }).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'tlp_above_ceiling') return null;
        throw error;
      });
      // Only an encrypted message may say more than "there is news"; otherwise the plain notice goes.
      prepared.push(withDetail?.encrypted ? withDetail : await deps.mail.prepareSend(ctx, { to, ...plain, tlp: tlpLabel('green'), threadId: thread.id }));
    }
    return prepared;
  }

  return {
    async releaseEarly(ctx: RequestContext, caseId: string, input: { reason: string; exploitationSeen: boolean }) {
      const { row } = await openForTeam(ctx, caseId);
      if (row.status === 'published') throw new ConflictError('already_published', 'This case is already published');
      const reason = cleanText(input.reason, 5_000);
      const notices = await prepareNotices(ctx, row.reference, caseId, reason);
      if (deps.jobs) await deps.jobs.start();
      await deps.webhooks.prepare();
      return db.transaction().execute(async (trx) => {
        const locked = await trx.selectFrom('vulnerability_cases').select('status').where('id', '=', caseId).forUpdate().executeTakeFirstOrThrow();
        if (locked.status === 'published') throw new ConflictError('already_published', 'This case is already published');
        const at = now();
        const agreed = await trx
          .updateTable('case_embargoes')
          .set({ state: 'released' })
          .where('case_id', '=', caseId)
          .where('state', '=', 'agreed')
          .returning('id')
          .executeTakeFirst();
        const embargoId =
          agreed?.id ??
          (
            await trx
              .insertInto('case_embargoes')
              .values({
                case_id: caseId,
                release_at: sql<Date>`date_trunc('minute', ${at}::timestamptz)`,
                state: 'released',
                reason,
                proposed_by: actorId(ctx.actor),
              })
              .returning('id')
              .executeTakeFirstOrThrow()
          ).id;
        // Proposals still open are moot once the case is out.
        await trx.updateTable('case_embargoes').set({ state: 'superseded' }).where('case_id', '=', caseId).where('state', '=', 'proposed').execute();
        await appendCaseEvent(trx, {
          caseId,
          kind: 'released_early',
          detail: { embargoId, reason, exploitationSeen: input.exploitationSeen },
          actorId: actorId(ctx.actor),
        });
        await recordChange(trx, ctx, caseId, 'case.release_early', { embargoId, reason, exploitationSeen: input.exploitationSeen });
        await deps.webhooks.emit(trx, { type: 'case.released_early', caseId, audience: { all: true } });
        const outcome = await publishInTransaction(trx, deps.publishing, ctx, { caseId, embargoId, publishedBy: actorId(ctx.actor) ?? 'system' });
        for (const notice of notices) await deps.mail.queue(trx, ctx, notice);
        return { embargoId, published: outcome.published, notified: notices.length, outcome };
      });
    },
  };
}
