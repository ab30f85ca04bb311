import type { CaseTimeline } from '@renkei/contract';
import { ForbiddenError } from '../kernel/errors.ts';
import type { RequestContext } from '../policy/actor.ts';
import { type CasesDeps, createCaseAccess, isTeam } from './case-access.ts';

/** The most entries one timeline answer carries; the newest are kept. */
export const TIMELINE_LIMIT = 1000;

/**
 * The case's timeline for the team: every recorded event, newest first, with who did it and which
 * participant it concerns. Participants do not get it (it names every vendor); they get their threads.
 */
export function createCaseTimeline(deps: Pick<CasesDeps, 'db' | 'now' | 'organisationsByIds'>) {
  const { db } = deps;
  const { open } = createCaseAccess(deps);

  return {
    async caseTimeline(ctx: RequestContext, caseId: string): Promise<CaseTimeline> {
      // Absent and hidden: the case's 404; a participant who may read the case: 403, the timeline is the team's.
      await open(ctx, caseId);
      if (!isTeam(ctx)) throw new ForbiddenError('forbidden', "The case's timeline is the team's");
      // The actor's display name is read beside the event, as the advisory's revisions read their authors.
      const rows = await db
        .selectFrom('case_events as e')
        .leftJoin('users as u', 'u.id', 'e.actor_id')
        .select(['e.id', 'e.kind', 'e.at', 'e.detail', 'e.organisation_id', 'u.display_name as actor_name'])
        .where('e.case_id', '=', caseId)
        .orderBy('e.at', 'desc')
        .orderBy('e.id', 'desc')
        .limit(TIMELINE_LIMIT + 1)
        .execute();
      const kept = rows.slice(0, TIMELINE_LIMIT);
      const names = await deps.organisationsByIds([...new Set(kept.flatMap((r) => (r.organisation_id ? [r.organisation_id] : [])))]);
      return {
        items: kept.map((r) => ({
          id: Number(r.id),
          kind: r.kind,
          at: r.at.toISOString(),
          actorName: r.actor_name ?? null,
          organisationName: r.organisation_id ? (names.get(r.organisation_id)?.name ?? null) : null,
          detail: r.detail !== null && typeof r.detail === 'object' && !Array.isArray(r.detail) ? (r.detail as Record<string, unknown>) : {},
        })),
        truncated: rows.length > TIMELINE_LIMIT,
      };
    },
  };
}
