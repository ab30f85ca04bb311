import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_ROLES, type CaseDetail, type CaseSummary, type Role } from '@renkei/contract';
import { expectAccess } from '../testing/access.ts';
import type { TestApp, TestUser } from '../testing/test-app.ts';
import { addSharedVendor, openCase, outsideOrganisationWithUser, startCaseHarness } from './vulnerabilities-test-kit.ts';

let t: TestApp;
let harness: Awaited<ReturnType<typeof startCaseHarness>>;
let coordinator: TestUser;
let acme: { organisationId: string; user: TestUser };
let globex: { organisationId: string; user: TestUser };

beforeAll(async () => {
  // A real relay on loopback and the instance key: the finder's notices are signed and queued for real.
  harness = await startCaseHarness();
  t = harness.t;
  coordinator = await t.createUser(['coordinator']);
  acme = await outsideOrganisationWithUser(t, 'Acme Networks');
  globex = await outsideOrganisationWithUser(t, 'Globex Software');
});
afterAll(async () => harness.close());

const caseOf = async (user: TestUser, id: string) => t.request(user, { url: `/api/v1/cases/${id}` });

describe('finders’ reports', () => {
  it('files, lists and accepts a report into a VU case, telling the finder in Japanese through the outbox', async () => {
    const { caseId, reference, reportId } = await openCase(t, coordinator);
    expect(reference).toMatch(/^VU-\d{4}-\d{5}$/);
    const report = await t.request(coordinator, { url: `/api/v1/vulnerability-reports/${reportId}` });
    expect(report.json()).toMatchObject({ status: 'accepted', caseId, caseReference: reference, vulnerabilityType: 'CWE-79' });
    const queued = await t.database.db
      .selectFrom('mail_messages')
      .select(['subject', 'text_body'])
      .where('subject', 'like', '%脆弱性関連情報の受付%')
      .execute();
    expect(queued.length).toBeGreaterThan(0);
    const again = await t.request(coordinator, { method: 'POST', url: `/api/v1/vulnerability-reports/${reportId}/accept`, payload: {} });
    expect(again.statusCode).toBe(409);
  });

  it('declines with a reason, in English for a finder who chose it', async () => {
    const filed = await t.request(coordinator, {
      method: 'POST',
      url: '/api/v1/vulnerability-reports',
      payload: { productName: 'Website', description: 'Not a vulnerability', finder: { email: 'en-finder@example.net', language: 'en' } },
    });
    const id = filed.json<{ id: string }>().id;
    const declined = await t.request(coordinator, {
      method: 'POST',
      url: `/api/v1/vulnerability-reports/${id}/decline`,
      payload: { reason: 'Out of scope: a configuration choice' },
    });
    expect(declined.statusCode).toBe(204);
    const detail = await t.request(coordinator, { url: `/api/v1/vulnerability-reports/${id}` });
    expect(detail.json()).toMatchObject({ status: 'declined', declineReason: 'Out of scope: a configuration choice' });
    const mail = await t.database.db
      .selectFrom('mail_messages')
      .select('text_body')
      .where('subject', 'like', '%About your vulnerability report%')
      .executeTakeFirstOrThrow();
    expect(mail.text_body).toContain('Out of scope');
  });

  it('keeps a forwarding partner’s organisation and de-duplicates its retries by its reference', async () => {
    const partner = await outsideOrganisationWithUser(t, 'IPA Intake', { kind: 'government', role: 'partner' });
    const payload = {
      productName: 'Router X',
      description: 'RCE',
      discoveredOn: '2026-11-01',
      partnerReference: 'IPA-2026-0042',
      credit: { anonymous: true },
      finder: { name: 'Kept secret' },
    };
    const first = await t.request(partner.user, { method: 'POST', url: '/api/v1/vulnerability-reports', payload });
    const second = await t.request(partner.user, { method: 'POST', url: '/api/v1/vulnerability-reports', payload });
    expect(first.statusCode).toBe(201);
    expect(second.json<{ id: string }>().id).toBe(first.json<{ id: string }>().id);
    const detail = await t.request(coordinator, { url: `/api/v1/vulnerability-reports/${first.json<{ id: string }>().id}` });
    expect(detail.json()).toMatchObject({
      forwardedBy: { organisationId: partner.organisationId, reference: 'IPA-2026-0042' },
      credit: { anonymous: true },
      // A calendar day stays the day the finder gave, whatever the server's zone.
      discoveredOn: '2026-11-01',
    });
  });

  it('answers who may file, read and decide', async () => {
    await expectAccess(
      t,
      { method: 'POST', url: '/api/v1/vulnerability-reports', payload: { productName: 'P', description: 'D' } },
      {
        allowed: ['admin', 'coordinator', 'analyst', 'partner', 'reporter'],
      },
    );
    await expectAccess(t, { url: '/api/v1/vulnerability-reports' }, { allowed: STAFF_ROLES });
    const { reportId } = await openCase(t, coordinator);
    await expectAccess(t, { url: `/api/v1/vulnerability-reports/${reportId}` }, { allowed: STAFF_ROLES, hidden: true });
  });

  it('refuses hostile input with a clear 400 and stores markup only as text', async () => {
    const huge = await t.request(coordinator, {
      method: 'POST',
      url: '/api/v1/vulnerability-reports',
      payload: { productName: 'x'.repeat(301), description: 'd' },
    });
    expect(huge.statusCode).toBe(400);
    const extra = await t.request(coordinator, {
      method: 'POST',
      url: '/api/v1/vulnerability-reports',
      payload: { productName: 'p', description: 'd', admin: true },
    });
    expect(extra.statusCode).toBe(400);
    const markup = await t.request(coordinator, {
      method: 'POST',
      url: '/api/v1/vulnerability-reports',
      payload: { productName: '<script>alert(1)</script>', description: 'a\u202Eb\u0007 <img src=x onerror=alert(1)>' },
    });
    expect(markup.statusCode).toBe(201);
    const detail = await t.request(coordinator, { url: `/api/v1/vulnerability-reports/${markup.json<{ id: string }>().id}` });
    expect(detail.json()).toMatchObject({ productName: '<script>alert(1)</script>' });
    // Kept as received (it is evidence); every screen renders it as text.
    expect(detail.json<{ description: string }>().description).toBe('a\u202Eb\u0007 <img src=x onerror=alert(1)>');
    expect(detail.headers['content-type']).toContain('application/json');
    const nul = await t.request(coordinator, { method: 'POST', url: '/api/v1/vulnerability-reports', payload: { productName: 'p\u0000', description: 'd' } });
    expect(nul.statusCode).toBe(400);
  });
});

describe('cases', () => {
  it('walks vendors, vulnerabilities, statuses and an embargo, each vendor seeing only its own rows', async () => {
    const { caseId } = await openCase(t, coordinator, 'Widget Server');
    const vuln = await t.request(coordinator, {
      method: 'POST',
      url: `/api/v1/cases/${caseId}/vulnerabilities`,
      payload: {
        title: 'Stored XSS',
        titleJa: '格納型クロスサイトスクリプティング',
        cweId: '79',
        cvss31Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
      },
    });
    expect(vuln.statusCode).toBe(201);
    expect(vuln.json()).toMatchObject({ cweId: 'CWE-79', cvss31Score: 6.1 });
    const vulnerabilityId = vuln.json<{ id: string }>().id;

    // Before the case is shared, a vendor added to it sees nothing: the same 404 as an absent case.
    const added = await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/vendors`, payload: { organisationId: acme.organisationId } });
    expect(added.statusCode).toBe(201);
    expect((await caseOf(acme.user, caseId)).statusCode).toBe(404);
    const statusBefore = (await caseOf(coordinator, caseId)).json<CaseDetail>().statuses;
    expect(statusBefore).toEqual([expect.objectContaining({ organisationId: acme.organisationId, status: 'not_notified', setAt: null })]);

    await t.request(coordinator, {
      method: 'POST',
      url: `/api/v1/cases/${caseId}/participants/${added.json<{ participantId: string }>().participantId}/share`,
    });
    await addSharedVendor(t, coordinator, caseId, globex.organisationId);

    const acmeView = (await caseOf(acme.user, caseId)).json<CaseDetail>();
    expect(acmeView.participants.map((p) => p.organisationId)).toEqual([acme.organisationId]);
    expect(acmeView.statuses).toEqual([expect.objectContaining({ status: 'notified_no_answer' })]);
    expect(acmeView.vendorCount).toBe(0);
    expect(JSON.stringify(acmeView)).not.toContain('Globex');
    const teamView = (await caseOf(coordinator, caseId)).json<CaseDetail>();
    expect(teamView.targetPublicationAt).not.toBeNull();
    expect(teamView.status).toBe('coordinating');

    // Acme answers for itself; it may not answer for Globex, nor claim the team's states.
    const answer = await t.request(acme.user, {
      method: 'PUT',
      url: `/api/v1/cases/${caseId}/statuses`,
      payload: { statuses: [{ vulnerabilityId, status: 'vulnerable', fixedVersions: '2.4.1', statementJa: '修正版を公開しました' }] },
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual([expect.objectContaining({ status: 'vulnerable', fixedVersions: '2.4.1', setBy: acme.user.id })]);
    const forOther = await t.request(acme.user, {
      method: 'PUT',
      url: `/api/v1/cases/${caseId}/statuses`,
      payload: { statuses: [{ vulnerabilityId, organisationId: globex.organisationId, status: 'not_vulnerable' }] },
    });
    expect(forOther.statusCode).toBe(403);
    const teamState = await t.request(acme.user, {
      method: 'PUT',
      url: `/api/v1/cases/${caseId}/statuses`,
      payload: { statuses: [{ vulnerabilityId, status: 'unreachable' }] },
    });
    expect(teamState.statusCode).toBe(400);
    const badJustification = await t.request(globex.user, {
      method: 'PUT',
      url: `/api/v1/cases/${caseId}/statuses`,
      payload: { statuses: [{ vulnerabilityId, status: 'vulnerable', justification: 'component_not_present' }] },
    });
    expect(badJustification.statusCode).toBe(400);

    walked = { caseId };
  });

  let walked: { caseId: string } | undefined;
  it('agrees an embargo: proposed by a vendor, accepted by the other, agreed by the team; the case is scheduled', async () => {
    const { caseId } = walked!;
    const releaseAt = new Date(Date.now() + 30 * 86_400_000);
    releaseAt.setUTCSeconds(0, 0);
    const withSeconds = await t.request(acme.user, {
      method: 'POST',
      url: `/api/v1/cases/${caseId}/embargo`,
      payload: { releaseAt: new Date(releaseAt.getTime() + 5_000).toISOString() },
    });
    expect(withSeconds.statusCode).toBe(400);
    const proposed = await t.request(acme.user, {
      method: 'POST',
      url: `/api/v1/cases/${caseId}/embargo`,
      payload: { releaseAt: releaseAt.toISOString(), reason: 'Fix ships that week' },
    });
    expect(proposed.statusCode).toBe(201);
    const embargoId = proposed.json<{ id: string }>().id;
    expect(
      (await t.request(globex.user, { method: 'POST', url: `/api/v1/cases/${caseId}/embargo/${embargoId}/decision`, payload: { decision: 'accepted' } }))
        .statusCode,
    ).toBe(200);
    const agreed = await t.request(coordinator, {
      method: 'POST',
      url: `/api/v1/cases/${caseId}/embargo/${embargoId}/decision`,
      payload: { decision: 'accepted' },
    });
    expect(agreed.json()).toMatchObject({ state: 'agreed', releaseAt: releaseAt.toISOString() });
    const scheduled = (await caseOf(coordinator, caseId)).json<CaseDetail>();
    expect(scheduled).toMatchObject({ status: 'scheduled', embargoUntil: releaseAt.toISOString() });
    expect(scheduled.embargoes[0]!.decisions.map((d) => d.name)).toEqual(['Globex Software']);
    // Acme sees the embargo but not Globex's decision.
    const acmeEmbargo = (await caseOf(acme.user, caseId)).json<CaseDetail>().embargoes[0]!;
    expect(acmeEmbargo.decisions).toEqual([]);

    // The vendor's list holds the case; the change feed drops it once nothing changed after `since`.
    const list = await t.request(acme.user, { url: '/api/v1/cases' });
    expect(list.json<{ items: CaseSummary[] }>().items.map((c) => c.id)).toContain(caseId);
    const since = await t.request(acme.user, { url: `/api/v1/cases?since=${encodeURIComponent(scheduled.modifiedAt)}` });
    expect(since.json<{ items: CaseSummary[] }>().items.map((c) => c.id)).not.toContain(caseId);
  });
});

describe('cases: isolation and input', () => {
  it('hides a case from a vendor not on it, through the list, the detail and every change, with the same 404', async () => {
    const { caseId } = await openCase(t, coordinator, 'Hidden Product');
    const stranger = await outsideOrganisationWithUser(t, 'Initech');
    const absent = '00000000-0000-4000-8000-000000000000';
    for (const id of [caseId, absent]) {
      const detail = await caseOf(stranger.user, id);
      expect(detail.statusCode).toBe(404);
      const bodyOf = (r: { json: <T>() => T }) => ({ ...r.json<{ error: object }>().error, requestId: undefined });
      expect(bodyOf(detail)).toEqual(bodyOf(await caseOf(stranger.user, absent)));
      const statuses = await t.request(stranger.user, {
        method: 'PUT',
        url: `/api/v1/cases/${id}/statuses`,
        payload: { statuses: [{ vulnerabilityId: absent, status: 'vulnerable' }] },
      });
      expect(statuses.statusCode).toBe(404);
      const embargo = await t.request(stranger.user, { method: 'POST', url: `/api/v1/cases/${id}/embargo`, payload: { releaseAt: '2030-01-01T00:00:00Z' } });
      expect(embargo.statusCode).toBe(404);
    }
    const list = await t.request(stranger.user, { url: '/api/v1/cases' });
    expect(list.json()).toMatchObject({ items: [], total: 0 });
  });

  it('answers who may list and change cases', async () => {
    const { caseId } = await openCase(t, coordinator, 'Access Product');
    await expectAccess(t, { url: '/api/v1/cases' }, { allowed: [...STAFF_ROLES, 'vendor_user', 'partner', 'reporter'] });
    await expectAccess(t, { url: `/api/v1/cases/${caseId}` }, { allowed: STAFF_ROLES, hidden: true });
    // Changing a case: handlers may; a publisher sees the case and is refused (403); outsiders learn nothing (404).
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
      const user = await t.createUser([role as Role]);
      const response = await t.request(user, { method: 'POST', url: `/api/v1/cases/${caseId}/vulnerabilities`, payload: { title: `T by ${role}` } });
      expect(response.statusCode, role).toBe(status);
    }
    expect((await t.request(null, { method: 'POST', url: `/api/v1/cases/${caseId}/vulnerabilities`, payload: { title: 'T' } })).statusCode).toBe(401);
  });

  it('refuses wrong CVSS and CWE input with the part named', async () => {
    const { caseId } = await openCase(t, coordinator, 'Scoring Product');
    const cases = [
      { cvss31Vector: 'CVSS:3.1/AV:N' },
      { cvss31Vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
      { cvss40Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
      { cweId: 'XSS' },
      { cvss31Vector: `CVSS:3.1/${'AV:N/'.repeat(200)}` },
    ];
    for (const extra of cases) {
      const response = await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/vulnerabilities`, payload: { title: 'T', ...extra } });
      expect(response.statusCode, JSON.stringify(extra)).toBe(400);
      expect(response.json<{ error: { message: string } }>().error.message.length).toBeGreaterThan(5);
    }
  });
});
