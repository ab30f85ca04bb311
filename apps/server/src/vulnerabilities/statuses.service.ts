import { type SetStatusesRequest, VENDOR_ANSWERS, type VendorStatus } from '@renkei/contract';
import { BadRequestError, ForbiddenError } from '../kernel/errors.ts';
import { cleanText } from '../kernel/text.ts';
import { type RequestContext, actorId } from '../policy/actor.ts';
import { type CasesDeps, createCaseAccess } from './case-access.ts';
import { type StatusWrite, appendCaseEvent, upsertStatuses } from './cases.repository.ts';
import { vulnerabilitiesPolicy } from './vulnerabilities.policy.ts';

/** Each vendor's status per vulnerability and product: the rows of the status matrix, with their history on the timeline. */
export function createStatuses(deps: CasesDeps) {
  const { db, now } = deps;
  const { open, recordChange } = createCaseAccess(deps);
  return {
    /**
     * Sets status rows. A vendor's user answers for its own organisation only, with the five answers; the
     * team may set any vendor's row, also the states before an answer. The previous rows go to the timeline.
     */
    async setStatuses(ctx: RequestContext, caseId: string, input: SetStatusesRequest['statuses']) {
      vulnerabilitiesPolicy.authorize(ctx.actor, 'cases.answer');
      const { viewer, rows } = await open(ctx, caseId);
      const vulnerabilities = new Set(rows.vulnerabilities.map((v) => v.id));
      const vendors = new Set(rows.participants.filter((p) => p.role === 'vendor' && p.organisation_id).map((p) => p.organisation_id!));
      const ownVendor = viewer.kind === 'participant' ? viewer.own.find((p) => p.role === 'vendor')?.organisation_id : undefined;
      if (viewer.kind === 'participant' && !ownVendor) throw new ForbiddenError('not_a_vendor', 'Only a vendor of this case answers for its products');
      const writes: StatusWrite[] = input.map((entry, index) => {
        const organisationId = viewer.kind === 'team' ? entry.organisationId : (entry.organisationId ?? ownVendor);
        if (!organisationId) throw new BadRequestError('organisation_required', `statuses[${index}]: name the vendor (organisationId)`);
        if (viewer.kind === 'participant' && organisationId !== ownVendor)
          throw new ForbiddenError('not_your_status', `statuses[${index}]: a vendor answers for its own organisation only`);
        if (!vendors.has(organisationId))
          throw new BadRequestError('not_a_vendor_of_case', `statuses[${index}]: that organisation is not a vendor of this case`);
        if (!vulnerabilities.has(entry.vulnerabilityId))
          throw new BadRequestError('vulnerability_not_in_case', `statuses[${index}]: no such vulnerability in this case`);
        if (viewer.kind === 'participant' && !(VENDOR_ANSWERS as readonly VendorStatus[]).includes(entry.status))
          throw new BadRequestError('status_not_an_answer', `statuses[${index}]: a vendor answers with one of ${VENDOR_ANSWERS.join(', ')}`);
        const notAffected = entry.status === 'not_vulnerable' || entry.status === 'not_vulnerable_investigating';
        if (entry.justification && !notAffected)
          throw new BadRequestError('justification_needs_not_vulnerable', `statuses[${index}]: a VEX justification goes with a not-vulnerable status`);
        return {
          vulnerabilityId: entry.vulnerabilityId,
          organisationId,
          productName: cleanText(entry.productName ?? '', 300),
          status: entry.status,
          justification: entry.justification ?? null,
          fixedVersions: cleanText(entry.fixedVersions ?? '', 2_000),
          statement: cleanText(entry.statement ?? '', 20_000),
          statementJa: cleanText(entry.statementJa ?? '', 20_000),
          references: (entry.references ?? []).map((r) => cleanText(r, 2_000)).filter((r) => r.length > 0),
        };
      });
      await deps.webhooks.prepare();
      await db.transaction().execute(async (trx) => {
        const before = await upsertStatuses(trx, caseId, writes, actorId(ctx.actor), now());
        for (const organisationId of new Set(writes.map((w) => w.organisationId))) {
          const mine = (r: { organisationId?: string; organisation_id?: string }) => (r.organisationId ?? r.organisation_id) === organisationId;
          await appendCaseEvent(trx, {
            caseId,
            kind: 'statuses_set',
            detail: {
              before: before.filter(mine).map((b) => ({ vulnerabilityId: b.vulnerability_id, productName: b.product_name, status: b.status })),
              after: writes.filter(mine),
            },
            organisationId,
            actorId: actorId(ctx.actor),
          });
          // That vendor's rows changed: it hears of it, and so do the partner coordinators who read every vendor's.
          await deps.webhooks.emit(trx, { type: 'status.changed', caseId, audience: { organisation: organisationId, withCoordinators: true } });
        }
        await recordChange(trx, ctx, caseId, 'case.statuses_set', { count: writes.length });
      });
    },

    /** A vendor's own tracking ID for the case (its ticket in its PSIRT tool), shown in its list and API. */
    async setTrackingId(ctx: RequestContext, caseId: string, trackingId: string | null) {
      vulnerabilitiesPolicy.authorize(ctx.actor, 'cases.answer');
      const { viewer } = await open(ctx, caseId);
      const own = viewer.kind === 'participant' ? viewer.own.find((p) => p.role === 'vendor') : undefined;
      if (!own) throw new ForbiddenError('not_a_vendor', 'Only a vendor of this case keeps a tracking ID on it');
      const value = trackingId ? cleanText(trackingId, 100).trim() || null : null;
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('case_participants').set({ tracking_id: value }).where('id', '=', own.id).execute();
        await recordChange(trx, ctx, caseId, 'case.tracking_id', { participantId: own.id, trackingId: value });
      });
    },
  };
}
