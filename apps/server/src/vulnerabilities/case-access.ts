import type { Kysely, Transaction } from 'kysely';
import type { OrganisationRef } from '../contacts/index.ts';
import { recordAudit } from '../audit/index.ts';
import type { Schema } from '../db/schema/index.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { BadRequestError, NotFoundError } from '../kernel/errors.ts';
import type { RequestContext, UserActor } from '../policy/actor.ts';
import { hasAnyRole } from '../policy/define-policy.ts';
import type { PublicationScheduler } from './publication.ts';
import type { WebhookEmitter } from './webhook-events.ts';
import { type CaseRow, type ParticipantRow, caseRows, findCase, touchCase } from './cases.repository.ts';
import { STAFF_ROLES_OF_CASES, vulnerabilitiesPolicy } from './vulnerabilities.policy.ts';

export interface CasesDeps {
  db: Kysely<Schema>;
  organisationsByIds: (ids: readonly string[]) => Promise<Map<string, OrganisationRef>>;
  now: () => Date;
  /** Days from a vendor's 起算日 to the target publication date (JVN: 45). */
  targetDays: number;
  /** Changes a participant must hear of enqueue their notice in the changing transaction (`start` first: on PGlite it needs the one connection). */
  jobs: Pick<JobQueue, 'enqueue' | 'start'>;
  /** Webhooks of the case's events, written with each change (the outbox of `webhook-events.ts`). */
  webhooks: WebhookEmitter;
  /** Schedules the publish job when the team agrees an embargo (absent: nothing is scheduled). */
  publication?: PublicationScheduler | undefined;
}

/**
 * Who is looking at a case: the team sees everything; a participant sees its own rows, and a partner
 * coordinator (CERT/CC, another national team) also every vendor's.
 */
export type CaseViewer = { kind: 'team' } | { kind: 'participant'; own: ParticipantRow[]; seesAllVendors: boolean };

export const caseNotFound = () => new NotFoundError('case_not_found', 'No such case');

export function isTeam(ctx: RequestContext): boolean {
  return ctx.actor.kind === 'system' || (ctx.actor.kind === 'user' && hasAnyRole(ctx.actor, STAFF_ROLES_OF_CASES));
}

/** The participant rows of the case that are the actor's (its organisations', or its own as a person), shared ones only. */
function ownParticipants(actor: UserActor, participants: readonly ParticipantRow[]): ParticipantRow[] {
  const organisations = new Set(actor.memberships.map((m) => m.organisationId));
  return participants.filter(
    (p) => p.shared_at !== null && ((p.organisation_id !== null && organisations.has(p.organisation_id)) || p.user_id === actor.userId),
  );
}

/** The minute an instant falls on, or a 400 when it has seconds: embargo instants are exact to the minute. */
export function wholeMinute(text: string): Date {
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new BadRequestError('invalid_instant', 'Not a date-time');
  if (at.getUTCSeconds() !== 0 || at.getUTCMilliseconds() !== 0)
    throw new BadRequestError('instant_not_whole_minute', 'An embargo instant is exact to the minute: give no seconds');
  return at;
}

/**
 * Opening a case for a read or a change, the same way for every capability of a case: through the
 * participant scope (absent and hidden alike 404), with the viewer it is shown to.
 */
export function createCaseAccess(deps: Pick<CasesDeps, 'db' | 'now'>) {
  const { db, now } = deps;
  /** The case and the viewer, or the same 404 for absent and hidden. */
  async function open(ctx: RequestContext, id: string): Promise<{ row: CaseRow; viewer: CaseViewer; rows: Awaited<ReturnType<typeof caseRows>> }> {
    const scope = vulnerabilitiesPolicy.detailScope(ctx.actor, 'cases.read', caseNotFound);
    const row = await findCase(db, scope, id);
    if (!row) throw caseNotFound();
    const { actor } = ctx;
    if (isTeam(ctx) || actor.kind !== 'user') return { row, viewer: { kind: 'team' }, rows: await caseRows(db, id) };
    // A partner coordinator reads every vendor's statuses; anyone else only its own organisations'.
    const rows = await caseRows(db, id, (participants) => {
      const own = ownParticipants(actor, participants);
      return own.some((p) => p.role === 'coordinator') ? null : own.flatMap((p) => (p.organisation_id ? [p.organisation_id] : []));
    });
    const own = ownParticipants(actor, rows.participants);
    return { row, viewer: { kind: 'participant', own, seesAllVendors: own.some((p) => p.role === 'coordinator') }, rows };
  }

  /** A case the actor may change as the team; hidden and absent 404 before a 403 could tell it exists. */
  async function openForTeam(ctx: RequestContext, id: string) {
    const opened = await open(ctx, id);
    vulnerabilitiesPolicy.authorize(ctx.actor, 'cases.write');
    return opened;
  }

  async function recordChange(trx: Transaction<Schema>, ctx: RequestContext, caseId: string, action: string, after: unknown, status?: string) {
    await touchCase(trx, caseId, now(), status);
    await recordAudit(trx, ctx, { action, targetType: 'vulnerability_case', targetId: caseId, after });
  }

  return { open, openForTeam, recordChange };
}
