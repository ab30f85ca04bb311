import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../kernel/errors.ts';
import { cleanText } from '../kernel/text.ts';
import { type RequestContext, actorId } from '../policy/actor.ts';
import { type CaseListFilter, appendCaseEvent, listCases, seedStatuses } from './cases.repository.ts';
import { vulnerabilitiesPolicy } from './vulnerabilities.policy.ts';
import { type CasesDeps, createCaseAccess, isTeam } from './case-access.ts';

export { type CaseViewer, type CasesDeps, caseNotFound, wholeMinute } from './case-access.ts';

/**
 * Cases: list and detail through the participant scope, their vendors and vulnerabilities. Every change moves the case's `modified_at` and appends to its timeline.
 */
export function createCases(deps: CasesDeps) {
  const { db, now } = deps;

  const { open, openForTeam, recordChange } = createCaseAccess(deps);

  return {
    async listCases(ctx: RequestContext, filter: CaseListFilter) {
      const page = await listCases(db, vulnerabilitiesPolicy.listScope(ctx.actor, 'cases.read'), filter);
      return { ...page, team: isTeam(ctx) };
    },

    /** The case as the actor may see it, with the names of the organisations it shows. */
    async getCase(ctx: RequestContext, id: string) {
      const { row, viewer, rows } = await open(ctx, id);
      const names = await deps.organisationsByIds(rows.participants.flatMap((p) => (p.organisation_id ? [p.organisation_id] : [])));
      return { row, viewer, ...rows, names };
    },

    /** Adds a vendor (an organisation of the directory) to the case: not yet notified on every vulnerability. */
    async addVendor(ctx: RequestContext, caseId: string, input: { organisationId: string; contactStarted?: boolean | undefined }) {
      await openForTeam(ctx, caseId);
      const organisation = (await deps.organisationsByIds([input.organisationId])).get(input.organisationId);
      if (!organisation) throw new BadRequestError('organisation_not_found', 'No such organisation in the directory');
      return db.transaction().execute(async (trx) => {
        const at = now();
        const participant = await trx
          .insertInto('case_participants')
          .values({
            case_id: caseId,
            role: 'vendor',
            organisation_id: organisation.id,
            contact_started_at: input.contactStarted ? at : null,
            added_by: actorId(ctx.actor),
          })
          .onConflict((oc) => oc.columns(['case_id', 'organisation_id']).where('organisation_id', 'is not', null).doNothing())
          .returningAll()
          .executeTakeFirst();
        if (!participant) throw new ConflictError('already_participant', 'This organisation already takes part in the case');
        await seedStatuses(trx, caseId, input.contactStarted ? 'notified_no_answer' : 'not_notified');
        if (input.contactStarted) await updateTarget(trx, caseId, deps.targetDays);
        await appendCaseEvent(trx, {
          caseId,
          kind: 'vendor_added',
          detail: { name: organisation.name },
          organisationId: organisation.id,
          actorId: actorId(ctx.actor),
        });
        await recordChange(trx, ctx, caseId, 'case.vendor_add', { organisationId: organisation.id }, 'coordinating');
        return participant;
      });
    },

    /**
     * Shares the case with a participant (its users can now see it) and, for a vendor, starts its 起算日 if
     * not yet started and turns "not yet notified" into "notified, no answer".
     */
    async shareWithParticipant(ctx: RequestContext, caseId: string, participantId: string) {
      const { rows } = await openForTeam(ctx, caseId);
      const participant = rows.participants.find((p) => p.id === participantId);
      if (!participant) throw new NotFoundError('participant_not_found', 'No such participant in this case');
      await deps.jobs.start();
      await db.transaction().execute(async (trx) => {
        const at = now();
        await trx
          .updateTable('case_participants')
          .set({ shared_at: participant.shared_at ?? at, contact_started_at: participant.contact_started_at ?? at })
          .where('id', '=', participantId)
          .execute();
        if (participant.role === 'vendor' && participant.organisation_id) {
          await trx
            .updateTable('vendor_statuses')
            .set({ status: 'notified_no_answer' })
            .where('case_id', '=', caseId)
            .where('organisation_id', '=', participant.organisation_id)
            .where('status', '=', 'not_notified')
            .execute();
          await updateTarget(trx, caseId, deps.targetDays);
        }
        await appendCaseEvent(trx, { caseId, kind: 'shared', organisationId: participant.organisation_id, actorId: actorId(ctx.actor) });
        if (!participant.shared_at) {
          await deps.jobs.enqueue('vulnerabilities.notify-participants', { caseId, participantId }, { trx, idempotencyKey: `shared:${participantId}` });
          await deps.webhooks.emit(trx, { type: 'case.shared', caseId, audience: { participants: [participantId] } });
        }
        await recordChange(trx, ctx, caseId, 'case.share', { participantId });
      });
    },

    async addVulnerability(
      ctx: RequestContext,
      caseId: string,
      input: { title: string; titleJa?: string | undefined; description?: string | undefined; cweId?: string | null | undefined },
      scored: { cvss31Vector: string | null; cvss31Score: number | null; cvss40Vector: string | null; cvss40Score: number | null },
    ) {
      await openForTeam(ctx, caseId);
      return db.transaction().execute(async (trx) => {
        const created = await trx
          .insertInto('case_vulnerabilities')
          .values({
            case_id: caseId,
            title: cleanText(input.title, 500),
            title_ja: input.titleJa ? cleanText(input.titleJa, 500) : null,
            description: cleanText(input.description ?? '', 100_000),
            cwe_id: input.cweId ?? null,
            cvss31_vector: scored.cvss31Vector,
            cvss31_score: scored.cvss31Score,
            cvss40_vector: scored.cvss40Vector,
            cvss40_score: scored.cvss40Score,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        // Vendors already on the case answer for the new vulnerability too: they start where they stand.
        await sql`
          INSERT INTO vendor_statuses (case_id, vulnerability_id, organisation_id, status)
          SELECT ${caseId}::uuid, ${created.id}::uuid, p.organisation_id,
                 CASE WHEN p.unreachable_at IS NOT NULL THEN 'unreachable' WHEN p.shared_at IS NULL THEN 'not_notified' ELSE 'notified_no_answer' END
          FROM case_participants p WHERE p.case_id = ${caseId}::uuid AND p.role = 'vendor'
          ON CONFLICT DO NOTHING`.execute(trx);
        await appendCaseEvent(trx, { caseId, kind: 'vulnerability_added', detail: { id: created.id, title: created.title }, actorId: actorId(ctx.actor) });
        await recordChange(trx, ctx, caseId, 'case.vulnerability_add', { id: created.id });
        return created;
      });
    },
  };
}

/** Target publication: the earliest 起算日 of the case's vendors plus the configured days. */
export async function updateTarget(trx: Transaction<Schema>, caseId: string, days: number): Promise<void> {
  await sql`
    UPDATE vulnerability_cases SET target_publication_at =
      (SELECT min(contact_started_at) FROM case_participants WHERE case_id = ${caseId}::uuid AND role = 'vendor') + make_interval(days => ${days}::int)
    WHERE id = ${caseId}::uuid`.execute(trx);
}
