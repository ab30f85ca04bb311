import { ConflictError, BadRequestError, NotFoundError } from '../kernel/errors.ts';
import { cleanText } from '../kernel/text.ts';
import { type RequestContext, actorId } from '../policy/actor.ts';
import { type CasesDeps, caseNotFound, createCaseAccess, wholeMinute } from './case-access.ts';
import { appendCaseEvent } from './cases.repository.ts';
import { vulnerabilitiesPolicy } from './vulnerabilities.policy.ts';

/**
 * The embargo: any participant proposes an exact instant, each accepts or rejects it for itself, and the
 * team's acceptance makes it the agreed one. Every proposal and decision is kept.
 */
export function createEmbargoes(deps: CasesDeps) {
  const { db, now } = deps;
  const { open, recordChange } = createCaseAccess(deps);
  return {
    /** Proposes a publication instant (team or participant); earlier open proposals are superseded. */
    async proposeEmbargo(ctx: RequestContext, caseId: string, input: { releaseAt: string; reason?: string | undefined }) {
      vulnerabilitiesPolicy.authorize(ctx.actor, 'cases.answer');
      const { viewer } = await open(ctx, caseId);
      const releaseAt = wholeMinute(input.releaseAt);
      if (releaseAt.getTime() <= now().getTime()) throw new BadRequestError('instant_in_past', 'The publication instant must be in the future');
      const organisation = viewer.kind === 'participant' ? (viewer.own[0]?.organisation_id ?? null) : null;
      await deps.webhooks.prepare();
      return db.transaction().execute(async (trx) => {
        await trx.updateTable('case_embargoes').set({ state: 'superseded' }).where('case_id', '=', caseId).where('state', '=', 'proposed').execute();
        const embargo = await trx
          .insertInto('case_embargoes')
          .values({
            case_id: caseId,
            release_at: releaseAt,
            reason: cleanText(input.reason ?? '', 5_000),
            proposed_by: actorId(ctx.actor),
            proposed_by_organisation: organisation,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await appendCaseEvent(trx, {
          caseId,
          kind: 'embargo_proposed',
          detail: { releaseAt: releaseAt.toISOString() },
          organisationId: organisation,
          actorId: actorId(ctx.actor),
        });
        await recordChange(trx, ctx, caseId, 'case.embargo_propose', { releaseAt: releaseAt.toISOString() });
        await deps.webhooks.emit(trx, { type: 'embargo.proposed', caseId, audience: { all: true } });
        return embargo;
      });
    },

    /**
     * A participant accepts or rejects a proposed instant for itself; the team's acceptance makes it the
     * agreed embargo (the one before it is superseded) and the case scheduled. Every decision is kept.
     */
    async decideEmbargo(ctx: RequestContext, caseId: string, embargoId: string, input: { decision: 'accepted' | 'rejected'; comment?: string | undefined }) {
      vulnerabilitiesPolicy.authorize(ctx.actor, 'cases.answer');
      const { viewer, rows } = await open(ctx, caseId);
      const embargo = rows.embargoes.find((e) => e.id === embargoId);
      if (!embargo) throw new NotFoundError('embargo_not_found', 'No such embargo proposal in this case');
      if (embargo.state !== 'proposed') throw new ConflictError('embargo_not_open', `This proposal is ${embargo.state}`);
      const agreeing = viewer.kind === 'team' && input.decision === 'accepted';
      if (agreeing) await deps.publication?.prepare();
      await deps.webhooks.prepare();
      await db.transaction().execute(async (trx) => {
        if (viewer.kind === 'participant') {
          const participant = viewer.own[0];
          if (!participant) throw caseNotFound();
          await trx
            .insertInto('case_embargo_decisions')
            .values({
              embargo_id: embargoId,
              participant_id: participant.id,
              decision: input.decision,
              comment: cleanText(input.comment ?? '', 5_000),
              decided_by: actorId(ctx.actor),
              decided_at: now(),
            })
            .onConflict((oc) =>
              oc
                .columns(['embargo_id', 'participant_id'])
                .doUpdateSet({ decision: input.decision, comment: cleanText(input.comment ?? '', 5_000), decided_by: actorId(ctx.actor), decided_at: now() }),
            )
            .execute();
          await appendCaseEvent(trx, {
            caseId,
            kind: `embargo_${input.decision}`,
            detail: { embargoId },
            organisationId: participant.organisation_id,
            actorId: actorId(ctx.actor),
          });
          await recordChange(trx, ctx, caseId, 'case.embargo_decide', { embargoId, decision: input.decision });
          // A participant's own decision: its organisation and the partner coordinators hear of it, no other vendor.
          if (participant.organisation_id)
            await deps.webhooks.emit(trx, { type: 'embargo.decided', caseId, audience: { organisation: participant.organisation_id, withCoordinators: true } });
          return;
        }
        const agreed = input.decision === 'accepted';
        if (agreed) await trx.updateTable('case_embargoes').set({ state: 'superseded' }).where('case_id', '=', caseId).where('state', '=', 'agreed').execute();
        await trx
          .updateTable('case_embargoes')
          .set({ state: agreed ? 'agreed' : 'rejected' })
          .where('id', '=', embargoId)
          .execute();
        await appendCaseEvent(trx, {
          caseId,
          kind: agreed ? 'embargo_agreed' : 'embargo_rejected',
          detail: { embargoId, releaseAt: embargo.release_at.toISOString() },
          actorId: actorId(ctx.actor),
        });
        await recordChange(trx, ctx, caseId, 'case.embargo_decide', { embargoId, decision: input.decision }, agreed ? 'scheduled' : undefined);
        await deps.webhooks.emit(trx, { type: 'embargo.decided', caseId, audience: { all: true } });
        // With an approved advisory, the publish job is due at the agreed instant (committed with the decision).
        if (agreed) await deps.publication?.schedule(trx, caseId);
      });
    },
  };
}
