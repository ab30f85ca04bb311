import { BadRequestError, ConflictError } from '../kernel/errors.ts';
import { type RequestContext, actorId } from '../policy/actor.ts';
import { type CasesDeps, createCaseAccess } from './case-access.ts';
import { appendCaseEvent } from './cases.repository.ts';

/** The participants the team adds besides vendors (vendors come through `cases.service.ts`, which seeds their statuses). */
export function createCaseParticipants(deps: Pick<CasesDeps, 'db' | 'now' | 'organisationsByIds'>) {
  const { db } = deps;
  const { openForTeam, recordChange } = createCaseAccess(deps);

  return {
    /**
     * Adds a participant who is not a vendor: a partner coordinator (an organisation of kind csirt; once
     * shared, its users read every vendor's statuses, see `case-access.ts`) or the finder's organisation.
     * Like a vendor, it sees nothing until the team shares the case with it.
     */
    async addParticipant(ctx: RequestContext, caseId: string, input: { role: 'coordinator' | 'finder'; organisationId: string }) {
      await openForTeam(ctx, caseId);
      const organisation = (await deps.organisationsByIds([input.organisationId])).get(input.organisationId);
      if (!organisation) throw new BadRequestError('organisation_not_found', 'No such organisation in the directory');
      if (input.role === 'coordinator' && organisation.kind !== 'csirt')
        throw new BadRequestError('not_a_coordinator', 'A partner coordinator is an organisation of kind csirt in the directory');
      return db.transaction().execute(async (trx) => {
        const participant = await trx
          .insertInto('case_participants')
          .values({ case_id: caseId, role: input.role, organisation_id: organisation.id, added_by: actorId(ctx.actor) })
          .onConflict((oc) => oc.columns(['case_id', 'organisation_id']).where('organisation_id', 'is not', null).doNothing())
          .returningAll()
          .executeTakeFirst();
        if (!participant) throw new ConflictError('already_participant', 'This organisation already takes part in the case');
        await appendCaseEvent(trx, {
          caseId,
          kind: 'participant_added',
          detail: { role: input.role, name: organisation.name },
          organisationId: organisation.id,
          actorId: actorId(ctx.actor),
        });
        await recordChange(trx, ctx, caseId, 'case.participant_add', { role: input.role, organisationId: organisation.id });
        return participant;
      });
    },
  };
}
