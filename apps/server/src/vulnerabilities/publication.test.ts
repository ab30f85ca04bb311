import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdvisoryView, Publication } from '@renkei/contract';
import { INTAKE, type MailHarness, insertDirectoryKey, makeKey, startMailHarness, startSink, waitFor } from '../mail/mail-test-kit.ts';
import { systemContext } from '../policy/actor.ts';
import type { TestApp, TestUser } from '../testing/test-app.ts';
import { approve, caseWithVulnerability, draft, wholeMinuteAfter } from './advisories-test-kit.ts';
import { PUBLISH_JOB } from './publication.ts';
import { createVulnerabilitiesService } from './vulnerabilities.service.ts';

// The publish job's handler and the sweeper, on a real database and queue: due, not due, a superseded
// embargo, no approved revision, racing publishers, and the job run by a real worker loop.

let t: TestApp;
let h: MailHarness;
let sink: Awaited<ReturnType<typeof startSink>>;
let coordinator: TestUser;
let publisher: TestUser;
const system = systemContext('test');

beforeAll(async () => {
  sink = await startSink();
  h = await startMailHarness({ RENKEI_SMTP_RELAY: sink.url });
  t = h.t;
  await insertDirectoryKey(t.database, await makeKey(INTAKE), { email: INTAKE, instance: true });
  await t.services.jobs.start();
  coordinator = await t.createUser(['coordinator']);
  publisher = await t.createUser(['publisher']);
});
afterAll(async () => {
  await h.close();
  await sink.close();
});

/**
 * The same service over the same database, its clock set back: it proposes and agrees an instant that is
 * already past by the real clock (an embargo is agreed in advance; the test cannot wait for one).
 */
function clockedBack(minutes: number, options: { withJobs?: boolean; prefixes?: { multiParty: string; single: string } } = {}) {
  return createVulnerabilitiesService(
    {
      db: t.database.db,
      mail: t.services.mail,
      blobs: t.services.blobs,
      contacts: t.services.contacts,
      jobs: options.withJobs === false ? undefined : t.services.jobs,
    },
    { now: () => new Date(Date.now() - minutes * 60_000), publicIdPrefixes: options.prefixes ?? t.config.publicIdPrefixes },
  );
}

/** Agrees (as the team) an instant `minutesAgo` minutes past, or in the future for a negative number. */
async function agreeAt(caseId: string, minutesAgo: number, options: { withJobs?: boolean } = {}): Promise<string> {
  const service = clockedBack(Math.max(minutesAgo, 0) + 5, options);
  const proposed = await service.proposeEmbargo(system, caseId, { releaseAt: wholeMinuteAfter(new Date(), -minutesAgo).toISOString() });
  await service.decideEmbargo(system, caseId, proposed.id, { decision: 'accepted' });
  return proposed.id;
}

async function approvedCase(options: { multiParty?: boolean } = {}) {
  const made = await caseWithVulnerability(t, coordinator, options);
  await draft(t, coordinator, made.caseId);
  await approve(t, publisher, made.caseId, 1);
  return made;
}

const caseRow = (caseId: string) =>
  t.database.db.selectFrom('vulnerability_cases').select(['status', 'public_id', 'published_at']).where('id', '=', caseId).executeTakeFirstOrThrow();
const eventsOf = (caseId: string, kind: string) =>
  t.database.db.selectFrom('case_events').select('detail').where('case_id', '=', caseId).where('kind', '=', kind).execute();
const publicationOf = async (caseId: string) => (await t.request(coordinator, { url: `/api/v1/cases/${caseId}/publication` })).json<Publication>();
const jobsFor = async (caseId: string) =>
  (await t.database.pool.query(`SELECT id FROM pgboss.job WHERE name = $1 AND data->>'caseId' = $2`, [PUBLISH_JOB, caseId])).rows;

describe('the publish job', () => {
  it('publishes a due case once: the approved revision frozen, a public ID, the case published, an event and an audit entry', async () => {
    const { caseId } = await approvedCase();
    const embargoId = await agreeAt(caseId, 2);
    expect(await jobsFor(caseId)).toHaveLength(1);
    const outcome = await t.services.vulnerabilities.runPublishJob(caseId, embargoId);
    expect(outcome).toMatchObject({ published: true, revision: 1, publicId: expect.stringMatching(/^JVN#\d{8}$/) });
    const publicId = (outcome as { publicId: string }).publicId;
    expect(await caseRow(caseId)).toMatchObject({ status: 'published', public_id: publicId, published_at: expect.any(Date) });
    const approved = (await t.request(coordinator, { url: `/api/v1/cases/${caseId}/advisory` })).json<AdvisoryView>();
    expect(approved.latest).toMatchObject({ number: 1, state: 'published' });
    const publication = await publicationOf(caseId);
    expect(publication).toMatchObject({ published: true, publicId, revision: 1, blockers: [], dueAt: null });
    expect(publication.document).toEqual(approved.latest.content);
    expect(await eventsOf(caseId, 'published')).toEqual([{ detail: { publicId, revision: 1, by: 'job' } }]);
    const audit = await t.database.db.selectFrom('audit_log').select('action').where('target_id', '=', caseId).where('action', '=', 'case.publish').execute();
    expect(audit).toHaveLength(1);

    // Run again (a retry, the sweeper): nothing more happens.
    expect(await t.services.vulnerabilities.runPublishJob(caseId, embargoId)).toEqual({ published: false, reason: 'already_published' });
    expect(await t.services.vulnerabilities.sweepPublications()).toMatchObject({ published: [] });
    expect(await eventsOf(caseId, 'published')).toHaveLength(1);
    const frozen = await t.request(publisher, { method: 'POST', url: `/api/v1/cases/${caseId}/advisory/revisions/1/approve` });
    expect(frozen.statusCode).toBe(409);
  });

  it('does not publish before the instant, and the team sees that it is not due', async () => {
    const { caseId } = await approvedCase();
    const embargoId = await agreeAt(caseId, -60);
    expect(await t.services.vulnerabilities.runPublishJob(caseId, embargoId)).toEqual({ published: false, reason: 'not_due' });
    expect((await caseRow(caseId)).status).toBe('scheduled');
    expect(await publicationOf(caseId)).toMatchObject({ published: false, blockers: ['not_due'] });
  });

  it('does nothing for an embargo no longer in force, though its instant has passed', async () => {
    const { caseId } = await approvedCase();
    const first = await agreeAt(caseId, 3);
    await agreeAt(caseId, -60 * 24);
    expect(await jobsFor(caseId)).toHaveLength(2);
    const before = await t.database.db.selectFrom('case_events').select('id').where('case_id', '=', caseId).execute();
    expect(await t.services.vulnerabilities.runPublishJob(caseId, first)).toEqual({ published: false, reason: 'embargo_superseded' });
    expect((await caseRow(caseId)).status).toBe('scheduled');
    expect(await t.database.db.selectFrom('case_events').select('id').where('case_id', '=', caseId).execute()).toEqual(before);
  });

  it('with no approved revision, schedules nothing and, at the instant, publishes nothing and tells the team why (once)', async () => {
    const { caseId } = await caseWithVulnerability(t, coordinator);
    await draft(t, coordinator, caseId);
    const embargoId = await agreeAt(caseId, 3);
    expect(await jobsFor(caseId)).toHaveLength(0);
    expect(await t.services.vulnerabilities.runPublishJob(caseId, embargoId)).toEqual({ published: false, reason: 'no_approved_revision' });
    expect(await t.services.vulnerabilities.sweepPublications()).toMatchObject({ blocked: expect.arrayContaining([caseId]) });
    expect(await eventsOf(caseId, 'publication_blocked')).toEqual([{ detail: { embargoId, reason: 'no_approved_revision' } }]);
    expect(await publicationOf(caseId)).toMatchObject({ published: false, blockers: ['no_approved_revision'] });
    expect((await caseRow(caseId)).public_id).toBeNull();
    // The publisher approves late: the instant has passed, so the sweeper publishes it at its next run.
    await approve(t, publisher, caseId, 1);
    expect((await jobsFor(caseId)).length).toBe(1);
    const swept = await t.services.vulnerabilities.sweepPublications();
    expect(swept.published).toContain((await caseRow(caseId)).public_id);
  });

  it('the sweeper publishes a due case whose job is missing', async () => {
    const { caseId } = await approvedCase();
    await agreeAt(caseId, 3, { withJobs: false });
    expect(await jobsFor(caseId)).toHaveLength(0);
    const swept = await t.services.vulnerabilities.sweepPublications();
    const row = await caseRow(caseId);
    expect(row.status).toBe('published');
    expect(swept.published).toContain(row.public_id);
    expect(await eventsOf(caseId, 'published')).toEqual([{ detail: expect.objectContaining({ by: 'sweeper' }) }]);
  });

  it('publishes once when the job, a retry and the sweeper race', async () => {
    const { caseId } = await approvedCase({ multiParty: true });
    const embargoId = await agreeAt(caseId, 3);
    const outcomes = await Promise.all([
      t.services.vulnerabilities.runPublishJob(caseId, embargoId),
      t.services.vulnerabilities.runPublishJob(caseId, embargoId),
      t.services.vulnerabilities.sweepPublications(),
    ]);
    const published = outcomes.slice(0, 2).filter((o) => 'published' in o && o.published === true);
    const swept = (outcomes[2] as { published: string[] }).published.filter((id) => id.startsWith('JVNVU#'));
    expect(published.length + swept.length).toBe(1);
    expect((await caseRow(caseId)).public_id).toMatch(/^JVNVU#\d{8}$/);
    expect(await t.database.db.selectFrom('advisory_publications').select('public_id').where('case_id', '=', caseId).execute()).toHaveLength(1);
  });

  it('approving after an early release publishes at once', async () => {
    const { caseId } = await caseWithVulnerability(t, coordinator);
    await draft(t, coordinator, caseId);
    const released = await t.request(coordinator, {
      method: 'POST',
      url: `/api/v1/cases/${caseId}/release-early`,
      payload: { reason: 'Exploited', exploitationSeen: true },
    });
    expect(released.json()).toMatchObject({ published: false, notified: 0 });
    expect(await publicationOf(caseId)).toMatchObject({ published: false, blockers: ['no_approved_revision'] });
    await approve(t, publisher, caseId, 1);
    expect((await caseRow(caseId)).status).toBe('published');
  });

  it('numbers public IDs per configured prefix without gaps', async () => {
    const { caseId } = await approvedCase();
    const own = clockedBack(10, { prefixes: { multiParty: 'XVU#', single: 'XJ#' } });
    const proposed = await own.proposeEmbargo(system, caseId, { releaseAt: wholeMinuteAfter(new Date(), -3).toISOString() });
    await own.decideEmbargo(system, caseId, proposed.id, { decision: 'accepted' });
    const onTime = clockedBack(0, { prefixes: { multiParty: 'XVU#', single: 'XJ#' } });
    expect(await onTime.runPublishJob(caseId, proposed.id)).toMatchObject({ published: true, publicId: 'XJ#00000001' });
    const ids = (await t.database.db.selectFrom('advisory_publications').select('public_id').execute()).map((r) => r.public_id);
    for (const prefix of ['JVN#', 'JVNVU#', 'XJ#']) {
      const numbers = ids
        .filter((id) => id.startsWith(prefix))
        .map((id) => Number(id.slice(prefix.length)))
        .toSorted((a, b) => a - b);
      expect(numbers, prefix).toEqual(numbers.map((_, i) => i + 1));
    }
    const counters = await t.database.db.selectFrom('vulnerability_counters').selectAll().where('year', '=', 0).orderBy('prefix').execute();
    expect(counters.map((c) => [c.prefix, c.value])).toEqual(
      ['JVN', 'JVNVU', 'XJ'].map((prefix) => [prefix, ids.filter((id) => id.replace(/#\d+$/, '') === prefix).length]).filter(([, count]) => count !== 0),
    );
  });

  it('refuses unusable configured prefixes when the service is made, not at the instant', () => {
    expect(() => clockedBack(0, { prefixes: { multiParty: 'JVNVU1', single: 'JVN#' } })).toThrow(/prefix/);
    expect(() => clockedBack(0, { prefixes: { multiParty: 'JVN#', single: 'jvn#' } })).toThrow(/must differ/);
  });

  it('runs in the worker: a due job publishes the case by itself', async () => {
    const { caseId } = await approvedCase();
    await agreeAt(caseId, 1);
    await t.services.jobs.startWorker({ concurrency: 1 });
    const row = await waitFor(
      () => caseRow(caseId),
      (r) => r.status === 'published',
    );
    expect(row.public_id).toMatch(/^JVN#\d{8}$/);
    expect(await eventsOf(caseId, 'published')).toEqual([{ detail: expect.objectContaining({ by: 'job' }) }]);
  });
});
