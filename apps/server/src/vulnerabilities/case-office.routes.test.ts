import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_ROLES, type CaseDashboard, type CaseDetail, type ContactAttempt, type Role } from '@renkei/contract';
import { expectAccess } from '../testing/access.ts';
import type { TestApp, TestUser } from '../testing/test-app.ts';
import { addSharedVendor, openCase, outsideOrganisationWithUser, startCaseHarness } from './vulnerabilities-test-kit.ts';

let t: TestApp;
let harness: Awaited<ReturnType<typeof startCaseHarness>>;
let coordinator: TestUser;
let acme: { organisationId: string; user: TestUser };
const DAY = 86_400_000;

beforeAll(async () => {
  // Accepting a report tells the finder through the outbox: a loopback relay, the instance key and the job worker.
  harness = await startCaseHarness({ RENKEI_UNREACHABLE_WAIT_DAYS: '30' });
  t = harness.t;
  coordinator = await t.createUser(['coordinator']);
  acme = await outsideOrganisationWithUser(t, 'Acme Networks');
});
afterAll(async () => harness.close());

const attemptsUrl = (caseId: string, participantId: string) => `/api/v1/cases/${caseId}/participants/${participantId}/contact-attempts`;
const attempt = (caseId: string, participantId: string, payload: Record<string, unknown>, user = coordinator) =>
  t.request(user, { method: 'POST', url: attemptsUrl(caseId, participantId), payload });

describe('contact attempts and unreachable developers', () => {
  it('records attempts, refuses "unreachable" before any, then marks the vendor and its statuses unreachable and lists it for announcement', async () => {
    const silent = await outsideOrganisationWithUser(t, 'Silent Devices');
    const { caseId, reference } = await openCase(t, coordinator, 'Silent Camera');
    await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/vulnerabilities`, payload: { title: 'Auth bypass' } });
    const participantId = await addSharedVendor(t, coordinator, caseId, silent.organisationId);

    const early = await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/participants/${participantId}/unreachable` });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ error: { code: 'no_contact_attempt' } });

    const mailed = await attempt(caseId, participantId, { channel: 'mail', outcome: 'bounced', note: '550 no such user' });
    expect(mailed.statusCode, mailed.body).toBe(201);
    expect(mailed.json<ContactAttempt>()).toMatchObject({ participantId, organisationId: silent.organisationId, channel: 'mail', outcome: 'bounced' });
    const phoned = await attempt(caseId, participantId, { channel: 'phone', outcome: 'no_answer', attemptedAt: new Date(Date.now() - DAY).toISOString() });
    expect(phoned.statusCode).toBe(201);
    const listed = await t.request(coordinator, { url: attemptsUrl(caseId, participantId) });
    expect(listed.json<{ items: ContactAttempt[] }>().items.map((a) => a.channel)).toEqual(['phone', 'mail']);

    const declared = await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/participants/${participantId}/unreachable` });
    expect(declared.statusCode, declared.body).toBe(200);
    const detail = (await t.request(coordinator, { url: `/api/v1/cases/${caseId}` })).json<CaseDetail>();
    expect(detail.participants.find((p) => p.id === participantId)?.unreachableAt).toBe(declared.json<{ unreachableAt: string }>().unreachableAt);
    expect(detail.statuses.filter((s) => s.organisationId === silent.organisationId).map((s) => s.status)).toEqual(['unreachable']);

    const list = await t.request(coordinator, { url: '/api/v1/unreachable-developers' });
    const row = list.json<{ items: Record<string, unknown>[] }>().items.find((r) => r.participantId === participantId);
    expect(row).toMatchObject({ vendorName: 'Silent Devices', caseReference: reference, attempts: 2, publishable: false, announcedAt: null });
    expect(row?.firstContactAt).not.toBeNull();

    const announcedAt = '2026-12-01T00:00:00.000Z';
    const published = await t.request(coordinator, {
      method: 'POST',
      url: `/api/v1/cases/${caseId}/participants/${participantId}/unreachable/publish`,
      payload: { announcedAt },
    });
    expect(published.statusCode, published.body).toBe(200);
    // RENKEI_UNREACHABLE_WAIT_DAYS=30 in this app.
    expect(published.json()).toMatchObject({ publishable: true, announcedAt, earliestPublicationAt: '2026-12-31T00:00:00.000Z' });
  });

  it('refuses hostile input and participants that are not the case’s vendors', async () => {
    const { caseId } = await openCase(t, coordinator, 'Hostile Attempts');
    const participantId = await addSharedVendor(t, coordinator, caseId, acme.organisationId);
    const bad = [
      { channel: 'pigeon', outcome: 'sent' },
      { channel: 'mail', outcome: 'lost' },
      { channel: 'mail', outcome: 'sent', note: 'x'.repeat(10_001) },
      { channel: 'mail', outcome: 'sent', attemptedAt: new Date(Date.now() + 2 * DAY).toISOString() },
      { channel: 'mail', outcome: 'sent', attemptedAt: 'yesterday' },
      { channel: 'mail', outcome: 'sent', extra: 1 },
    ];
    for (const payload of bad) expect((await attempt(caseId, participantId, payload)).statusCode, JSON.stringify(payload).slice(0, 60)).toBe(400);
    expect((await attempt(caseId, participantId, { channel: 'other', outcome: 'sent', note: 'a\u0000b' })).statusCode).toBe(400);
    const markup = await attempt(caseId, participantId, { channel: 'other', outcome: 'sent', note: '<script>alert(1)</script>' });
    expect(markup.json<ContactAttempt>().note).toBe('<script>alert(1)</script>');
    const absent = '00000000-0000-4000-8000-000000000000';
    expect((await attempt(caseId, absent, { channel: 'mail', outcome: 'sent' })).statusCode).toBe(404);
    const other = await openCase(t, coordinator, 'Other Attempts');
    expect((await attempt(other.caseId, participantId, { channel: 'mail', outcome: 'sent' })).statusCode).toBe(404);
    const notDeclared = await t.request(coordinator, {
      method: 'POST',
      url: `/api/v1/cases/${caseId}/participants/${participantId}/unreachable/publish`,
      payload: {},
    });
    expect(notDeclared.statusCode).toBe(409);
  });

  it('answers who may record and read attempts and the unreachable list', async () => {
    const { caseId } = await openCase(t, coordinator, 'Attempt Access');
    const participantId = await addSharedVendor(t, coordinator, caseId, acme.organisationId);
    await expectAccess(t, { url: attemptsUrl(caseId, participantId) }, { allowed: STAFF_ROLES, hidden: true });
    await expectAccess(t, { url: '/api/v1/unreachable-developers' }, { allowed: STAFF_ROLES });
    // The vendor itself sees the case but not the team's record of chasing it.
    expect((await t.request(acme.user, { url: attemptsUrl(caseId, participantId) })).statusCode).toBe(403);
    const expected: Record<string, number> = {
      admin: 201,
      coordinator: 201,
      analyst: 201,
      publisher: 403,
      vendor_user: 404,
      reporter: 404,
      partner: 404,
      subscriber: 404,
    };
    for (const [role, status] of Object.entries(expected)) {
      const response = await attempt(caseId, participantId, { channel: 'mail', outcome: 'sent' }, await t.createUser([role as Role]));
      expect(response.statusCode, role).toBe(status);
    }
    expect((await t.request(acme.user, { method: 'POST', url: `/api/v1/cases/${caseId}/participants/${participantId}/unreachable` })).statusCode).toBe(403);
    expect((await t.request(null, { method: 'POST', url: attemptsUrl(caseId, participantId), payload: { channel: 'mail', outcome: 'sent' } })).statusCode).toBe(
      401,
    );
  });
});

describe('the dates dashboard', () => {
  it('shows days since the first 起算日 and to the target, past-target cases, and the median days to publication per Japanese fiscal quarter', async () => {
    const now = Date.now();
    const { caseId: late, reference: lateRef } = await openCase(t, coordinator, 'Late Product');
    await addSharedVendor(t, coordinator, late, acme.organisationId);
    // Contact began 60 days ago: 15 days past the 45-day target.
    await t.database.db
      .updateTable('case_participants')
      .set({ contact_started_at: new Date(now - 60 * DAY - 3_600_000) })
      .where('case_id', '=', late)
      .execute();
    await t.database.db
      .updateTable('vulnerability_cases')
      .set({ target_publication_at: new Date(now - 15 * DAY - 3_600_000) })
      .where('id', '=', late)
      .execute();
    const { reference: freshRef } = await openCase(t, coordinator, 'Fresh Product');
    // Published cases: 30, 40 and 100 days in FY2020-Q1 (April–June 2020, Tokyo), 10 days in FY2019-Q4 (March 2020).
    for (const [published, days] of [
      ['2020-05-10T03:00:00Z', 30],
      ['2020-05-20T03:00:00Z', 40],
      ['2020-06-30T03:00:00Z', 100],
      ['2020-03-31T14:00:00Z', 10],
    ] as const) {
      const { caseId } = await openCase(t, coordinator, `Published ${published}`);
      await addSharedVendor(t, coordinator, caseId, acme.organisationId);
      const at = new Date(published);
      await t.database.db
        .updateTable('case_participants')
        .set({ contact_started_at: new Date(at.getTime() - days * DAY) })
        .where('case_id', '=', caseId)
        .execute();
      await t.database.db.updateTable('vulnerability_cases').set({ status: 'published', published_at: at }).where('id', '=', caseId).execute();
    }

    const response = await t.request(coordinator, { url: '/api/v1/cases/dashboard' });
    expect(response.statusCode, response.body).toBe(200);
    const dashboard = response.json<CaseDashboard>();
    expect(dashboard.openCases.find((c) => c.reference === lateRef)).toMatchObject({ daysElapsed: 60, daysToTarget: -16, pastTarget: true });
    expect(dashboard.openCases.find((c) => c.reference === freshRef)).toMatchObject({ firstContactAt: null, daysElapsed: null, pastTarget: false });
    expect(dashboard.openCases.some((c) => c.reference.startsWith('VU') && c.title.startsWith('XSS in Published'))).toBe(false);
    // 2020-03-31T14:00Z is 23:00 in Tokyo: still March, so FY2019.
    expect(dashboard.quarters).toEqual([
      { quarter: 'FY2019-Q4', published: 1, medianDays: 10 },
      { quarter: 'FY2020-Q1', published: 3, medianDays: 40 },
    ]);

    const csv = await t.request(coordinator, { url: '/api/v1/cases/dashboard?format=csv' });
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.split('\r\n');
    expect(lines[0]).toBe('reference,title,status,first_contact_at,days_elapsed,target_publication_at,days_to_target,past_target');
    expect(lines.find((l) => l.startsWith(lateRef))).toMatch(/,60,.*,-16,yes$/);
    const quarters = await t.request(coordinator, { url: '/api/v1/cases/dashboard?format=csv&table=quarters' });
    expect(quarters.body).toBe('fiscal_quarter,published,median_days\r\nFY2019-Q4,1,10\r\nFY2020-Q1,3,40\r\n');
    expect((await t.request(coordinator, { url: '/api/v1/cases/dashboard?format=xml' })).statusCode).toBe(400);
  });

  it('defuses a formula in a title in the CSV', async () => {
    const filed = await t.request(coordinator, {
      method: 'POST',
      url: '/api/v1/vulnerability-reports',
      payload: { productName: 'P', description: 'D', finder: { email: 'f@example.net', language: 'en' } },
    });
    const accepted = await t.request(coordinator, {
      method: 'POST',
      url: `/api/v1/vulnerability-reports/${filed.json<{ id: string }>().id}/accept`,
      payload: { title: '=HYPERLINK("http://evil.example")' },
    });
    expect(accepted.statusCode).toBe(201);
    const csv = await t.request(coordinator, { url: '/api/v1/cases/dashboard?format=csv' });
    expect(csv.body).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
  });

  it('answers who may see the dashboard', async () => {
    await expectAccess(t, { url: '/api/v1/cases/dashboard' }, { allowed: STAFF_ROLES });
    await expectAccess(t, { url: '/api/v1/cases/dashboard?format=csv' }, { allowed: STAFF_ROLES });
  });
});

describe('the case timeline', () => {
  it('lists what happened, newest first, with who did it and the vendor it concerns, for the team only', async () => {
    const { caseId } = await openCase(t, coordinator, 'Timeline Router');
    const participantId = await addSharedVendor(t, coordinator, caseId, acme.organisationId);
    await attempt(caseId, participantId, { channel: 'phone', outcome: 'answered', note: '<script>alert(1)</script>' });
    const response = await t.request(coordinator, { url: `/api/v1/cases/${caseId}/timeline` });
    expect(response.statusCode, response.body).toBe(200);
    const { items, truncated } = response.json<{
      items: { kind: string; at: string; actorName: string | null; organisationName: string | null; detail: Record<string, unknown> }[];
      truncated: boolean;
    }>();
    expect(truncated).toBe(false);
    const kinds = items.map((i) => i.kind);
    expect(kinds[0]).toBe('contact_attempt');
    expect(kinds).toEqual(expect.arrayContaining(['case_opened', 'vendor_added', 'shared']));
    expect(kinds.indexOf('case_opened')).toBe(kinds.length - 1);
    expect([...items].sort((a, b) => b.at.localeCompare(a.at)).map((i) => i.at)).toEqual(items.map((i) => i.at));
    const added = items.find((i) => i.kind === 'vendor_added')!;
    expect(added).toMatchObject({ organisationName: 'Acme Networks' });
    expect(added.actorName).toMatch(/^Test user/);

    await expectAccess(t, { url: `/api/v1/cases/${caseId}/timeline` }, { allowed: STAFF_ROLES, hidden: true });
    // The vendor reads the case, not the team's record of it.
    expect((await t.request(acme.user, { url: `/api/v1/cases/${caseId}/timeline` })).statusCode).toBe(403);
    expect((await t.request(coordinator, { url: '/api/v1/cases/00000000-0000-0000-0000-000000000000/timeline' })).statusCode).toBe(404);
  });
});
