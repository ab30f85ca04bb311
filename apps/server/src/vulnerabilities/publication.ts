import { type Kysely, type Transaction, sql } from 'kysely';
import { recordAudit } from '../audit/index.ts';
import type { Schema } from '../db/schema/index.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { type RequestContext, systemContext } from '../policy/actor.ts';
import { type PublicIdPrefixes, formatPublicId } from './catalogue/index.ts';
import { appendCaseEvent, nextNumber } from './cases.repository.ts';
import type { WebhookEmitter } from './webhook-events.ts';

/** The publish job: one per case and agreed embargo, due at the embargo's instant. */
export const PUBLISH_JOB = 'vulnerabilities.publish-case';

/** Why nothing was published: `embargo_superseded` is a job for an embargo no longer in force (it does nothing). */
export type NotPublishedReason = 'already_published' | 'embargo_superseded' | 'no_agreed_embargo' | 'not_due' | 'no_approved_revision';
export type PublishOutcome = { published: true; publicId: string; revision: number } | { published: false; reason: NotPublishedReason };

export interface PublicationDeps {
  now: () => Date;
  prefixes: PublicIdPrefixes;
  /**
   * Test-only (RENKEI_TEST_JOBS=1): called with everything written and the case row still locked, just
   * before the publishing transaction commits, so a process test can kill the worker there.
   */
  beforeCommit?: ((caseId: string) => Promise<void>) | undefined;
  /** The participants' webhooks of the publication, written in its transaction. */
  webhooks?: WebhookEmitter | undefined;
}

/** The counter each kind of public ID is numbered from: the configured prefix without its `#` (JVNVU, JVN), year 0. */
export function counterPrefix(prefix: string): string {
  return prefix.replace(/#+$/, '');
}

/** The embargo in force (agreed, or released early), if any. */
async function embargoInForce(trx: Kysely<Schema>, caseId: string) {
  return trx
    .selectFrom('case_embargoes')
    .select(['id', 'state', 'release_at'])
    .where('case_id', '=', caseId)
    .where('state', 'in', ['agreed', 'released'])
    .orderBy(sql`state = 'released'`, 'desc')
    .orderBy('proposed_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Publishes the case inside `trx`, exactly once: the case row is locked first, so a second publisher
 * (another worker, the sweeper, an early release) waits and then finds it published; the public ID's
 * counter moves in the same transaction, so a crash before commit leaves neither a publication nor a
 * gap. Freezes the approved revision into the publication record, marks the case published with its
 * public ID, and records a case event and an audit entry.
 * @param embargoId the job's embargo: when it is no longer the one in force, nothing happens
 */
export async function publishInTransaction(
  trx: Transaction<Schema>,
  deps: PublicationDeps,
  ctx: RequestContext,
  input: { caseId: string; embargoId?: string | undefined; publishedBy: string },
): Promise<PublishOutcome> {
  const { caseId } = input;
  const locked = await sql<{ status: string; multi_party: boolean }>`
    SELECT status, multi_party FROM vulnerability_cases WHERE id = ${caseId}::uuid FOR UPDATE`.execute(trx);
  const row = locked.rows[0];
  if (!row || row.status === 'published') return { published: false, reason: 'already_published' };
  const embargo = await embargoInForce(trx, caseId);
  if (input.embargoId !== undefined && embargo?.id !== input.embargoId) return { published: false, reason: 'embargo_superseded' };
  if (!embargo) return { published: false, reason: 'no_agreed_embargo' };
  const at = deps.now();
  if (embargo.state === 'agreed' && embargo.release_at.getTime() > at.getTime()) return { published: false, reason: 'not_due' };
  const approved = await trx
    .selectFrom('advisory_revisions')
    .select(['number', 'content'])
    .where('case_id', '=', caseId)
    .where('state', '=', 'approved')
    .forUpdate()
    .executeTakeFirst();
  if (!approved) {
    await reportBlocked(trx, ctx, caseId, embargo.id, 'no_approved_revision');
    return { published: false, reason: 'no_approved_revision' };
  }
  const kind = row.multi_party ? 'multi_party' : 'single';
  const prefix = kind === 'multi_party' ? deps.prefixes.multiParty : deps.prefixes.single;
  const publicId = formatPublicId(kind, await nextNumber(trx, counterPrefix(prefix), 0), deps.prefixes);
  await trx
    .insertInto('advisory_publications')
    .values({
      case_id: caseId,
      revision_number: approved.number,
      public_id: publicId,
      embargo_id: embargo.id,
      document: JSON.stringify(approved.content),
      published_by: input.publishedBy,
      published_at: at,
    })
    .execute();
  await trx.updateTable('advisory_revisions').set({ state: 'published' }).where('case_id', '=', caseId).where('number', '=', approved.number).execute();
  await trx
    .updateTable('vulnerability_cases')
    .set({ public_id: publicId, status: 'published', published_at: at, modified_at: at })
    .where('id', '=', caseId)
    .execute();
  await appendCaseEvent(trx, { caseId, kind: 'published', detail: { publicId, revision: approved.number, by: input.publishedBy }, actorId: null });
  await deps.webhooks?.emit(trx, { type: 'case.published', caseId, audience: { all: true } });
  await recordAudit(trx, ctx, { action: 'case.publish', targetType: 'vulnerability_case', targetId: caseId, after: { publicId, revision: approved.number } });
  await deps.beforeCommit?.(caseId);
  return { published: true, publicId, revision: approved.number };
}

/** Tells the team, once per embargo, that the instant came with no approved advisory. */
async function reportBlocked(trx: Transaction<Schema>, ctx: RequestContext, caseId: string, embargoId: string, reason: NotPublishedReason) {
  const told = await trx
    .selectFrom('case_events')
    .select('id')
    .where('case_id', '=', caseId)
    .where('kind', '=', 'publication_blocked')
    .where(sql`detail->>'embargoId'`, '=', embargoId)
    .executeTakeFirst();
  if (told) return;
  await appendCaseEvent(trx, { caseId, kind: 'publication_blocked', detail: { embargoId, reason }, actorId: null });
  await recordAudit(trx, ctx, { action: 'case.publication_blocked', targetType: 'vulnerability_case', targetId: caseId, after: { embargoId, reason } });
}

/**
 * Schedules the publish job for the agreed embargo when an approved revision exists, inside the
 * deciding transaction (keyed by case and embargo: deciding or approving again adds no second job).
 * The queue must have been started before the transaction opened.
 */
export async function schedulePublication(trx: Transaction<Schema>, jobs: Pick<JobQueue, 'enqueue'>, caseId: string): Promise<string | null> {
  const embargo = await trx
    .selectFrom('case_embargoes')
    .select(['id', 'release_at'])
    .where('case_id', '=', caseId)
    .where('state', '=', 'agreed')
    .executeTakeFirst();
  if (!embargo) return null;
  const approved = await trx.selectFrom('advisory_revisions').select('number').where('case_id', '=', caseId).where('state', '=', 'approved').executeTakeFirst();
  if (!approved) return null;
  const enqueued = await jobs.enqueue(
    PUBLISH_JOB,
    { caseId, embargoId: embargo.id },
    { trx, idempotencyKey: `${caseId}:${embargo.id}`, startAfter: embargo.release_at },
  );
  return enqueued.id;
}

/** How long past its instant a case waits for its job before the sweeper publishes it. */
export const SWEEP_GRACE_MINUTES = 2;

/** Cases whose embargo instant passed (or that were released early) and are not published: the sweeper's work. */
export async function dueCases(db: Kysely<Schema>, at: Date): Promise<{ caseId: string; embargoId: string }[]> {
  const rows = await sql<{ case_id: string; embargo_id: string }>`
    SELECT c.id AS case_id, e.id AS embargo_id
    FROM vulnerability_cases c
    JOIN case_embargoes e ON e.case_id = c.id AND e.state IN ('agreed', 'released')
    WHERE c.status <> 'published'
      AND (e.state = 'released' OR e.release_at <= ${at}::timestamptz - make_interval(mins => ${SWEEP_GRACE_MINUTES}))
    ORDER BY e.release_at, c.id
    LIMIT 100`.execute(db);
  return rows.rows.map((r) => ({ caseId: r.case_id, embargoId: r.embargo_id }));
}

/** What the embargo decision calls: `prepare` before its transaction, `schedule` inside it. */
export interface PublicationScheduler {
  prepare(): Promise<void>;
  schedule(trx: Transaction<Schema>, caseId: string): Promise<unknown>;
}

export function publicationScheduler(jobs: Pick<JobQueue, 'enqueue' | 'start'>): PublicationScheduler {
  return { prepare: () => jobs.start(), schedule: (trx, caseId) => schedulePublication(trx, jobs, caseId) };
}

/** The publish job's and the sweeper's handlers, each publishing in its own transaction as the system. */
export function publicationJobs(db: Kysely<Schema>, publishing: PublicationDeps, now: () => Date) {
  return {
    /** The publish job's handler: publishes the case if its embargo is still the one in force and due. */
    async runPublishJob(caseId: string, embargoId: string): Promise<PublishOutcome> {
      const ctx = systemContext('vulnerabilities.publish-case');
      return db.transaction().execute((trx) => publishInTransaction(trx, publishing, ctx, { caseId, embargoId, publishedBy: 'job' }));
    },

    /** The sweeper: publishes every case past its instant (by the grace period) that is not yet published. */
    async sweepPublications(): Promise<{ published: string[]; blocked: string[] }> {
      const ctx = systemContext('vulnerabilities.sweep-publications');
      const done: string[] = [];
      const blocked: string[] = [];
      for (const due of await dueCases(db, now())) {
        const outcome = await db.transaction().execute((trx) => publishInTransaction(trx, publishing, ctx, { ...due, publishedBy: 'sweeper' }));
        if (outcome.published) done.push(outcome.publicId);
        else if (outcome.reason === 'no_approved_revision') blocked.push(due.caseId);
      }
      return { published: done, blocked };
    },
  };
}
