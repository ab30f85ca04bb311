import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, STAFF_ROLES, type CaseDetail, type Role } from '@renkei/contract';
import { expectAccess } from '../testing/access.ts';
import type { TestApp, TestUser } from '../testing/test-app.ts';
import { addSharedVendor, openCase, outsideOrganisationWithUser, startCaseHarness } from './vulnerabilities-test-kit.ts';

let t: TestApp;
let harness: Awaited<ReturnType<typeof startCaseHarness>>;
let coordinator: TestUser;
let acme: { organisationId: string; user: TestUser };
let globex: { organisationId: string; user: TestUser };
let partner: { organisationId: string; user: TestUser };
let finderLab: { organisationId: string; user: TestUser };

beforeAll(async () => {
  // Sharing a case enqueues the participant's notice: a loopback relay, the instance key and the job worker.
  harness = await startCaseHarness();
  t = harness.t;
  coordinator = await t.createUser(['coordinator']);
  acme = await outsideOrganisationWithUser(t, 'Acme Networks');
  globex = await outsideOrganisationWithUser(t, 'Globex Software');
  partner = await outsideOrganisationWithUser(t, 'Partner CERT', { kind: 'csirt', role: 'partner' });
  finderLab = await outsideOrganisationWithUser(t, 'Finder Lab', { kind: 'other', role: 'reporter' });
});
afterAll(async () => harness.close());

const add = (caseId: string, payload: unknown, user: TestUser | null = coordinator) =>
  t.request(user, { method: 'POST', url: `/api/v1/cases/${caseId}/participants`, payload: payload as Record<string, unknown> });
const share = (caseId: string, participantId: string) =>
  t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/participants/${participantId}/share` });

describe('adding a participant who is not a vendor', () => {
  it('Should add a partner coordinator who, once shared, reads every vendor’s statuses, and a finder’s organisation who reads none', async () => {
    const { caseId } = await openCase(t, coordinator, 'Shared Router');
    await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/vulnerabilities`, payload: { title: 'Auth bypass' } });
    await addSharedVendor(t, coordinator, caseId, acme.organisationId);
    await addSharedVendor(t, coordinator, caseId, globex.organisationId);

    const added = await add(caseId, { role: 'coordinator', organisationId: partner.organisationId });
    expect(added.statusCode, added.body).toBe(201);
    const partnerId = added.json<{ participantId: string }>().participantId;
    const finder = await add(caseId, { role: 'finder', organisationId: finderLab.organisationId });
    expect(finder.statusCode, finder.body).toBe(201);
    const finderId = finder.json<{ participantId: string }>().participantId;

    const detail = (await t.request(coordinator, { url: `/api/v1/cases/${caseId}` })).json<CaseDetail>();
    expect(detail.participants.find((p) => p.id === partnerId)).toMatchObject({ role: 'coordinator', name: 'Partner CERT', sharedAt: null });
    expect(detail.participants.find((p) => p.id === finderId)).toMatchObject({ role: 'finder', name: 'Finder Lab', sharedAt: null });
    const events = await t.database.db
      .selectFrom('case_events')
      .select(['kind', 'detail'])
      .where('case_id', '=', caseId)
      .where('kind', '=', 'participant_added')
      .execute();
    expect(events.map((e) => e.detail)).toEqual([
      { role: 'coordinator', name: 'Partner CERT' },
      { role: 'finder', name: 'Finder Lab' },
    ]);

    // A row alone shares nothing: both still get the 404 of an absent case.
    expect((await t.request(partner.user, { url: `/api/v1/cases/${caseId}` })).statusCode).toBe(404);
    expect((await t.request(finderLab.user, { url: `/api/v1/cases/${caseId}` })).statusCode).toBe(404);

    expect((await share(caseId, partnerId)).statusCode).toBe(204);
    expect((await share(caseId, finderId)).statusCode).toBe(204);
    const asPartner = await t.request(partner.user, { url: `/api/v1/cases/${caseId}` });
    expect(asPartner.statusCode, asPartner.body).toBe(200);
    expect(new Set(asPartner.json<CaseDetail>().statuses.map((s) => s.organisationId))).toEqual(new Set([acme.organisationId, globex.organisationId]));
    const asFinder = await t.request(finderLab.user, { url: `/api/v1/cases/${caseId}` });
    expect(asFinder.statusCode, asFinder.body).toBe(200);
    expect(asFinder.json<CaseDetail>().statuses).toEqual([]);
    expect(JSON.stringify(asFinder.json())).not.toContain('Globex');
  });

  it('Should refuse a non-csirt as partner coordinator, an unknown or repeated organisation, and malformed bodies', async () => {
    const { caseId } = await openCase(t, coordinator, 'Refusing Router');
    const vendorAsCoordinator = await add(caseId, { role: 'coordinator', organisationId: acme.organisationId });
    expect(vendorAsCoordinator.statusCode).toBe(400);
    expect(vendorAsCoordinator.json()).toMatchObject({ error: { code: 'not_a_coordinator' } });
    const unknown = await add(caseId, { role: 'finder', organisationId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ error: { code: 'organisation_not_found' } });
    expect((await add(caseId, { role: 'coordinator', organisationId: partner.organisationId })).statusCode).toBe(201);
    const twice = await add(caseId, { role: 'finder', organisationId: partner.organisationId });
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ error: { code: 'already_participant' } });
    // A vendor goes through /vendors (statuses are seeded there); this route takes the other roles only.
    const bodies: unknown[] = [
      { role: 'vendor', organisationId: globex.organisationId },
      { role: 'admin', organisationId: globex.organisationId },
      { role: 'finder' },
      { role: 'finder', organisationId: 'not-a-uuid' },
      { role: 'finder', organisationId: `${globex.organisationId}' OR '1'='1` },
      { role: 'finder', organisationId: globex.organisationId, userId: coordinator.id },
      { role: 'f'.repeat(100_000), organisationId: globex.organisationId },
      [],
      { role: 'finder', organisationId: null },
    ];
    for (const body of bodies) expect((await add(caseId, body)).statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
    const absentCase = await add('00000000-0000-4000-8000-000000000000', { role: 'finder', organisationId: globex.organisationId });
    expect(absentCase.statusCode).toBe(404);
    const detail = (await t.request(coordinator, { url: `/api/v1/cases/${caseId}` })).json<CaseDetail>();
    expect(detail.participants.map((p) => p.name)).toEqual(['Partner CERT']);
  });

  it('Should let only the case’s handlers add participants: a publisher 403, every outside role the 404 of an absent case, anonymous 401', async () => {
    const { caseId } = await openCase(t, coordinator, 'Access Router');
    const expected: Record<Role, number> = {
      admin: 201,
      coordinator: 201,
      analyst: 201,
      publisher: 403,
      vendor_user: 404,
      reporter: 404,
      partner: 404,
      subscriber: 404,
    };
    for (const role of ROLES) {
      // A fresh csirt per role, so each allowed call adds a new participant rather than meeting a 409.
      const organisation = await outsideOrganisationWithUser(t, `CSIRT for ${role}`, { kind: 'csirt', role: 'partner' });
      const response = await add(caseId, { role: 'coordinator', organisationId: organisation.organisationId }, await t.createUser([role]));
      expect(response.statusCode, `${role}: ${response.body}`).toBe(expected[role]);
    }
    expect((await add(caseId, { role: 'finder', organisationId: finderLab.organisationId }, null)).statusCode).toBe(401);

    // Participants of the case itself, shared and so able to read it, still may not add anyone.
    const vendorParticipant = await addSharedVendor(t, coordinator, caseId, acme.organisationId);
    expect(vendorParticipant).toBeTruthy();
    const partnerAdded = await add(caseId, { role: 'coordinator', organisationId: partner.organisationId });
    await share(caseId, partnerAdded.json<{ participantId: string }>().participantId);
    for (const user of [acme.user, partner.user]) {
      expect((await t.request(user, { url: `/api/v1/cases/${caseId}` })).statusCode).toBe(200);
      expect((await add(caseId, { role: 'finder', organisationId: finderLab.organisationId }, user)).statusCode).toBe(403);
    }
    // The case page itself stays the team's and its participants' alone.
    await expectAccess(t, { url: `/api/v1/cases/${caseId}` }, { allowed: STAFF_ROLES, hidden: true });
  });
});
