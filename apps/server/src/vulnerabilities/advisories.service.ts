import type { AdvisoryContent, ReviseAdvisoryRequest } from '@renkei/contract';
import type { Transaction } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../kernel/errors.ts';
import { cleanText } from '../kernel/text.ts';
import { type RequestContext, actorId } from '../policy/actor.ts';
import { type RevisionRow, findPublication, findRevision, insertRevision, listRevisions, lockRevision, reportCredit } from './advisories.repository.ts';
import { cleanEditedContent, draftContent } from './advisory-content.ts';
import { type CaseViewer, type CasesDeps, createCaseAccess, isTeam } from './case-access.ts';
import { appendCaseEvent } from './cases.repository.ts';
import { type PublicationDeps, type PublishOutcome, publicationJobs, publishInTransaction, schedulePublication } from './publication.ts';
import { vulnerabilitiesPolicy } from './vulnerabilities.policy.ts';

export interface AdvisoriesDeps extends Omit<CasesDeps, 'jobs'> {
  /** The queue the publish job goes to; null = no scheduling (a CLI that only reads). */
  jobs: Pick<JobQueue, 'enqueue' | 'start'> | null;
  publishing: PublicationDeps;
}

export const advisoryNotFound = () => new NotFoundError('advisory_not_found', 'This case has no advisory yet');

/** A participant's copy: the vendor information table shows its own organisations' rows only, unless it is a partner coordinator. */
function forViewer(content: AdvisoryContent, viewer: CaseViewer): AdvisoryContent {
  if (viewer.kind === 'team' || viewer.seesAllVendors) return content;
  const own = new Set(viewer.own.flatMap((p) => (p.organisation_id ? [p.organisation_id] : [])));
  const filter = (lang: 'ja' | 'en') => ({
    ...content[lang],
    vendorInformation: content[lang].vendorInformation.filter((r) => r.organisationId !== null && own.has(r.organisationId)),
  });
  return { ja: filter('ja'), en: filter('en') };
}

/**
 * The advisory of a case on its way to publication: a generated first draft, revisions (each kept), a
 * publisher's approval, the participants' preview, and the publication itself (publication.ts), which
 * the publish job, the sweeper, an early release or a late approval trigger.
 */
export function createAdvisories(deps: AdvisoriesDeps) {
  const { db, now } = deps;
  const { open, openForTeam, recordChange } = createCaseAccess(deps);
  const published = (caseId: string) => new ConflictError('already_published', `Case ${caseId} is already published; its advisory is frozen`);

  async function openForStaff(ctx: RequestContext, caseId: string) {
    const opened = await open(ctx, caseId);
    if (!isTeam(ctx)) throw new ForbiddenError('forbidden', 'Only the team works on a draft advisory');
    return opened;
  }

  async function view(caseId: string) {
    const revisions = await listRevisions(db, caseId);
    if (revisions.length === 0) throw advisoryNotFound();
    return { caseId, latest: revisions[0]!, revisions };
  }

  /** The queue is started before a transaction that may enqueue in it (on PGlite its one connection is then the transaction's). */
  const readyToSchedule = async () => {
    if (deps.jobs) await deps.jobs.start();
    await deps.webhooks.prepare();
  };

  const preview = (trx: Transaction<Schema>, caseId: string) =>
    deps.webhooks.emit(trx, { type: 'advisory.preview', caseId, audience: { all: true }, resource: `/cases/${caseId}/advisory/preview` });

  async function addRevision(ctx: RequestContext, caseId: string, content: AdvisoryContent, note: string, kind: string) {
    await deps.webhooks.prepare();
    return db.transaction().execute(async (trx) => {
      const status = await trx.selectFrom('vulnerability_cases').select('status').where('id', '=', caseId).forUpdate().executeTakeFirstOrThrow();
      if (status.status === 'published') throw published(caseId);
      const revision = await insertRevision(trx, { caseId, content, note, authorId: actorId(ctx.actor), at: now() });
      await appendCaseEvent(trx, { caseId, kind, detail: { revision: revision.number }, actorId: actorId(ctx.actor) });
      await recordAdvisoryAudit(trx, ctx, caseId, `advisory.${kind === 'advisory_drafted' ? 'draft' : 'revise'}`, { revision: revision.number });
      await preview(trx, caseId);
      return revision;
    });
  }

  const recordAdvisoryAudit = (trx: Transaction<Schema>, ctx: RequestContext, caseId: string, action: string, after: unknown) =>
    recordChange(trx, ctx, caseId, action, after);

  return {
    /** The latest revision and the list of all of them (team only). */
    async getAdvisory(ctx: RequestContext, caseId: string) {
      await openForStaff(ctx, caseId);
      return view(caseId);
    },

    /** One revision with its content, as it was saved (team only): an earlier one is read, never changed. */
    async getRevision(ctx: RequestContext, caseId: string, number: number) {
      await openForStaff(ctx, caseId);
      const revision = await findRevision(db, caseId, number);
      if (!revision) throw new NotFoundError('revision_not_found', `This advisory has no revision ${number}`);
      return revision;
    },

    /** Generates a draft from the case as it stands (the first one, or a fresh one as a new revision). */
    async draftAdvisory(ctx: RequestContext, caseId: string) {
      const { row, rows } = await openForTeam(ctx, caseId);
      const names = await deps.organisationsByIds(rows.participants.flatMap((p) => (p.organisation_id ? [p.organisation_id] : [])));
      const content = draftContent({ row, ...rows, names, credit: await reportCredit(db, row.report_id) });
      await addRevision(ctx, caseId, cleanEditedContent(content), '', 'advisory_drafted');
      return view(caseId);
    },

    /** A new revision from edited sections; every earlier one stays as it was. */
    async reviseAdvisory(ctx: RequestContext, caseId: string, input: ReviseAdvisoryRequest) {
      await openForTeam(ctx, caseId);
      const content = cleanEditedContent(input.content);
      const revision = await addRevision(ctx, caseId, content, cleanText(input.note ?? '', 2_000), 'advisory_revised');
      return revision;
    },

    /**
     * A publisher (or admin) approves a draft revision: the approved one before it is superseded. With
     * an agreed embargo the publish job is scheduled in the same transaction; with an embargo already
     * released early, the case is published at once.
     */
    async approveAdvisory(ctx: RequestContext, caseId: string, number: number): Promise<{ revision: RevisionRow; publication: PublishOutcome | null }> {
      await open(ctx, caseId);
      vulnerabilitiesPolicy.authorize(ctx.actor, 'advisories.approve');
      await readyToSchedule();
      return db.transaction().execute(async (trx) => {
        const status = await trx.selectFrom('vulnerability_cases').select('status').where('id', '=', caseId).forUpdate().executeTakeFirstOrThrow();
        if (status.status === 'published') throw published(caseId);
        const revision = await lockRevision(trx, caseId, number);
        if (!revision) throw new NotFoundError('revision_not_found', `This advisory has no revision ${number}`);
        if (revision.state !== 'draft') throw new ConflictError('revision_not_draft', `Revision ${number} is ${revision.state}; only a draft is approved`);
        await trx.updateTable('advisory_revisions').set({ state: 'superseded' }).where('case_id', '=', caseId).where('state', '=', 'approved').execute();
        const at = now();
        const approved = await trx
          .updateTable('advisory_revisions')
          .set({ state: 'approved', approved_by: actorId(ctx.actor), approved_at: at })
          .where('case_id', '=', caseId)
          .where('number', '=', number)
          .returningAll()
          .executeTakeFirstOrThrow();
        await appendCaseEvent(trx, { caseId, kind: 'advisory_approved', detail: { revision: number }, actorId: actorId(ctx.actor) });
        await recordAdvisoryAudit(trx, ctx, caseId, 'advisory.approve', { revision: number });
        await preview(trx, caseId);
        if (deps.jobs) await schedulePublication(trx, deps.jobs, caseId);
        const released = await trx.selectFrom('case_embargoes').select('id').where('case_id', '=', caseId).where('state', '=', 'released').executeTakeFirst();
        const publication = released ? await publishInTransaction(trx, deps.publishing, ctx, { caseId, publishedBy: actorId(ctx.actor) ?? 'system' }) : null;
        return { revision: approved as RevisionRow, publication };
      });
    },

    /**
     * What a participant sees before publication: the approved revision, or else the latest draft,
     * through the same 404 rules as the case (never before the case is shared with it).
     */
    async previewAdvisory(ctx: RequestContext, caseId: string) {
      const { viewer } = await open(ctx, caseId);
      const revisions = await listRevisions(db, caseId);
      const shown = revisions.find((r) => r.state === 'approved' || r.state === 'published') ?? revisions[0];
      if (!shown) throw advisoryNotFound();
      return { caseId, number: shown.number, state: shown.state, content: forViewer(shown.content, viewer) };
    },

    /** The publication record once published; before, when it is due and what stands in its way (team only). */
    async getPublication(ctx: RequestContext, caseId: string) {
      const { rows } = await openForStaff(ctx, caseId);
      const record = await findPublication(db, caseId);
      const embargo = rows.embargoes.find((e) => e.state === 'released') ?? rows.embargoes.find((e) => e.state === 'agreed');
      const approved = record ? true : (await listRevisions(db, caseId)).some((r) => r.state === 'approved');
      const blockers: ('no_agreed_embargo' | 'not_due' | 'no_approved_revision')[] = [];
      if (!record) {
        if (!embargo) blockers.push('no_agreed_embargo');
        else if (embargo.state === 'agreed' && embargo.release_at.getTime() > now().getTime()) blockers.push('not_due');
        if (!approved) blockers.push('no_approved_revision');
      }
      return { caseId, record: record ?? null, dueAt: record ? null : (embargo?.release_at ?? null), blockers };
    },
    ...publicationJobs(db, deps.publishing, now),
  };
}
