import type { Kysely } from 'kysely';
import type { ContactChannel, ContactOutcome } from '@renkei/contract';
import type { OrganisationRef } from '../contacts/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../kernel/errors.ts';
import { cleanText } from '../kernel/text.ts';
import { type RequestContext, actorId } from '../policy/actor.ts';
import { backOfficePolicy } from './back-office.policy.ts';
import { createCaseAccess } from './case-access.ts';
import { appendCaseEvent } from './cases.repository.ts';
import { contactAttemptsOf, insertContactAttempt, markUnreachable, unreachableDevelopers, upsertAnnouncement } from './contact-attempts.repository.ts';

export interface ContactAttemptsDeps {
  db: Kysely<Schema>;
  organisationsByIds: (ids: readonly string[]) => Promise<Map<string, OrganisationRef>>;
  now: () => Date;
  /** Days from announcing an unreachable developer to the earliest publication without it. */
  unreachableWaitDays: number;
}

const DAY = 86_400_000;
const participantNotFound = () => new NotFoundError('participant_not_found', 'No such vendor in this case');

function instant(text: string | undefined, fallback: Date, field: string): Date {
  if (text === undefined) return fallback;
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw new BadRequestError('invalid_instant', `${field} is not a date-time`);
  // Ten years back is more than any case; the future is not a record of what happened.
  if (at.getTime() > fallback.getTime() + 5 * 60_000 || at.getTime() < fallback.getTime() - 3650 * DAY)
    throw new BadRequestError('instant_out_of_range', `${field} must lie within the last ten years, not in the future`);
  return at;
}

/**
 * Contact attempts with each vendor of a case (mail, phone, post, web form), declaring a vendor
 * unreachable once tried, and the publishable list of unreachable developers (announce, wait, publish).
 */
export function createContactAttempts(deps: ContactAttemptsDeps) {
  const { db, now } = deps;
  const { open, openForTeam, recordChange } = createCaseAccess(deps);

  /** The vendor participant of the case, team only (others: the case's 404, or 403 for a publisher changing it). */
  async function vendorOf(ctx: RequestContext, caseId: string, participantId: string, write: boolean) {
    const { rows } = write ? await openForTeam(ctx, caseId) : await open(ctx, caseId);
    backOfficePolicy.authorize(ctx.actor, write ? 'contacts.write' : 'contacts.read');
    const participant = rows.participants.find((p) => p.id === participantId && p.role === 'vendor');
    if (!participant?.organisation_id) throw participantNotFound();
    return { ...participant, organisation_id: participant.organisation_id };
  }

  return {
    async recordContactAttempt(
      ctx: RequestContext,
      caseId: string,
      participantId: string,
      input: { channel: ContactChannel; outcome: ContactOutcome; note?: string | undefined; attemptedAt?: string | undefined },
    ) {
      const participant = await vendorOf(ctx, caseId, participantId, true);
      const attemptedAt = instant(input.attemptedAt, now(), 'attemptedAt');
      return db.transaction().execute(async (trx) => {
        const row = await insertContactAttempt(trx, {
          case_id: caseId,
          organisation_id: participant.organisation_id,
          channel: input.channel,
          outcome: input.outcome,
          note: cleanText(input.note ?? '', 10_000),
          recorded_by: actorId(ctx.actor),
          attempted_at: attemptedAt,
        });
        await appendCaseEvent(trx, {
          caseId,
          kind: 'contact_attempt',
          detail: { channel: input.channel, outcome: input.outcome },
          organisationId: participant.organisation_id,
          actorId: actorId(ctx.actor),
        });
        await recordChange(trx, ctx, caseId, 'case.contact_attempt', { participantId, channel: input.channel, outcome: input.outcome });
        return { row, participantId };
      });
    },

    async listContactAttempts(ctx: RequestContext, caseId: string, participantId: string) {
      const participant = await vendorOf(ctx, caseId, participantId, false);
      return contactAttemptsOf(db, caseId, participant.organisation_id);
    },

    /** Declares the vendor unreachable: at least one attempt must be on record. Its status rows become "unreachable". */
    async declareUnreachable(ctx: RequestContext, caseId: string, participantId: string) {
      const participant = await vendorOf(ctx, caseId, participantId, true);
      if (participant.unreachable_at) return participant.unreachable_at;
      const attempts = await contactAttemptsOf(db, caseId, participant.organisation_id);
      if (attempts.length === 0) throw new ConflictError('no_contact_attempt', 'Record at least one contact attempt before declaring the vendor unreachable');
      const at = now();
      await db.transaction().execute(async (trx) => {
        await markUnreachable(trx, { id: participant.id, case_id: caseId, organisation_id: participant.organisation_id }, at);
        await appendCaseEvent(trx, { caseId, kind: 'vendor_unreachable', organisationId: participant.organisation_id, actorId: actorId(ctx.actor) });
        await recordChange(trx, ctx, caseId, 'case.vendor_unreachable', { participantId, attempts: attempts.length });
      });
      return at;
    },

    /** Puts the developer on the public list (announced at the given instant); the case may be published without it after the wait. */
    async announceUnreachable(ctx: RequestContext, caseId: string, participantId: string, input: { announcedAt?: string | undefined }) {
      const participant = await vendorOf(ctx, caseId, participantId, true);
      if (!participant.unreachable_at) throw new ConflictError('vendor_not_unreachable', 'Declare the vendor unreachable before announcing it');
      const at = now();
      const announcedAt = input.announcedAt === undefined ? at : new Date(input.announcedAt);
      if (Number.isNaN(announcedAt.getTime()) || Math.abs(announcedAt.getTime() - at.getTime()) > 366 * DAY)
        throw new BadRequestError('invalid_instant', 'announcedAt must be a date-time within a year of now');
      const publishableFrom = new Date(announcedAt.getTime() + deps.unreachableWaitDays * DAY);
      await db.transaction().execute(async (trx) => {
        await upsertAnnouncement(trx, {
          participantId,
          caseId,
          organisationId: participant.organisation_id,
          announcedAt,
          publishableFrom,
          announcedBy: actorId(ctx.actor),
        });
        await appendCaseEvent(trx, {
          caseId,
          kind: 'vendor_unreachable_announced',
          detail: { announcedAt: announcedAt.toISOString(), publishableFrom: publishableFrom.toISOString() },
          organisationId: participant.organisation_id,
          actorId: actorId(ctx.actor),
        });
        await recordChange(trx, ctx, caseId, 'case.vendor_unreachable_announce', { participantId, announcedAt, publishableFrom });
      });
    },

    /** The publishable list of unreachable developers (team only). */
    async listUnreachableDevelopers(ctx: RequestContext) {
      backOfficePolicy.authorize(ctx.actor, 'contacts.read');
      const rows = await unreachableDevelopers(db);
      const names = await deps.organisationsByIds(rows.map((r) => r.organisation_id!));
      return rows.map((r) => ({ ...r, organisation_id: r.organisation_id!, vendor_name: names.get(r.organisation_id!)?.name ?? '' }));
    },
  };
}
