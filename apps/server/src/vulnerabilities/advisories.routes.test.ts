import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, STAFF_ROLES, type AdvisoryContent, type AdvisoryPreview, type AdvisoryView, type Publication, type Role } from '@renkei/contract';
import { INTAKE, type MailHarness, insertDirectoryKey, makeKey, startMailHarness, startSink } from '../mail/mail-test-kit.ts';
import { expectAccess } from '../testing/access.ts';
import type { TestApp, TestUser } from '../testing/test-app.ts';
import { agreeEmbargo, approve, caseWithVulnerability, draft, vendorAnswers, wholeMinuteAfter } from './advisories-test-kit.ts';
import { cweName } from './catalogue/index.ts';
import { outsideOrganisationWithUser } from './vulnerabilities-test-kit.ts';

let t: TestApp;
let h: MailHarness;
let sink: Awaited<ReturnType<typeof startSink>>;
let coordinator: TestUser;
let analyst: TestUser;
let publisher: TestUser;
let acme: { organisationId: string; user: TestUser };
let globex: { organisationId: string; user: TestUser };

beforeAll(async () => {
  sink = await startSink();
  h = await startMailHarness({ RENKEI_SMTP_RELAY: sink.url });
  t = h.t;
  await insertDirectoryKey(t.database, await makeKey(INTAKE), { email: INTAKE, instance: true });
  // The queue is started (no worker): mail and the publish job are queued in their transactions, and stay queued.
  await t.services.jobs.start();
  coordinator = await t.createUser(['coordinator']);
  analyst = await t.createUser(['analyst']);
  publisher = await t.createUser(['publisher']);
  acme = await outsideOrganisationWithUser(t, 'Acme Networks');
  globex = await outsideOrganisationWithUser(t, 'Globex Software');
});
afterAll(async () => {
  await h.close();
  await sink.close();
});

const advisoryOf = (user: TestUser | null, caseId: string) => t.request(user, { url: `/api/v1/cases/${caseId}/advisory` });
const revise = (user: TestUser, caseId: string, content: unknown, note?: string) =>
  t.request(user, { method: 'POST', url: `/api/v1/cases/${caseId}/advisory/revisions`, payload: { content, ...(note ? { note } : {}) } });

/** A case with a vulnerability, Acme shared and answering, Globex added but not shared, and the first draft. */
async function draftedCase(credit?: { name?: string; organisation?: string; anonymous?: boolean }) {
  const made = await caseWithVulnerability(t, coordinator, credit ? { credit } : {});
  await vendorAnswers(t, coordinator, made.caseId, made.vulnerabilityId, acme);
  const globexAdded = await t.request(coordinator, {
    method: 'POST',
    url: `/api/v1/cases/${made.caseId}/vendors`,
    payload: { organisationId: globex.organisationId },
  });
  expect(globexAdded.statusCode).toBe(201);
  return { ...made, view: await draft(t, coordinator, made.caseId) };
}

describe('the first draft', () => {
  it('is made from the case: CWE names, CVSS scores, the vendor table with JVN labels, in ja and en', async () => {
    const { view } = await draftedCase();
    expect(view.latest).toMatchObject({ number: 1, state: 'draft', authorId: coordinator.id });
    const { ja, en } = view.latest.content;
    expect(ja.title).toBe('Acme Router におけるクロスサイトスクリプティング');
    expect(en.title).toBe('XSS in Acme Router');
    expect(en.cwe).toEqual([{ vulnerability: 'Stored XSS', id: 'CWE-79', name: cweName('CWE-79') }]);
    expect(ja.cwe[0]!.vulnerability).toBe('格納型クロスサイトスクリプティング');
    expect(en.cvss).toEqual([{ vulnerability: 'Stored XSS', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', score: 6.1 }]);
    const acmeRow = { organisationId: acme.organisationId, vendor: 'Acme Networks', product: 'Router', status: 'vulnerable', fixedVersions: '2.4.1' };
    expect(ja.vendorInformation).toContainEqual(expect.objectContaining({ ...acmeRow, statusLabel: '該当製品あり', statement: '修正版を公開しました' }));
    expect(en.vendorInformation).toContainEqual(expect.objectContaining({ ...acmeRow, statusLabel: 'Vulnerable' }));
    expect(en.vendorInformation).toContainEqual(expect.objectContaining({ vendor: 'Globex Software', status: 'not_notified', statusLabel: 'Not notified' }));
    expect(en.affectedProducts).toEqual(['Acme Networks Router']);
    expect(ja.solution).toContain('Acme Networks: 2.4.1 で修正されています。');
    expect(en.overview).toBe('XSS in Acme Router contains the following vulnerability.');
  });

  it('credits the finder by name, or nobody when they asked for anonymity', async () => {
    const named = await draftedCase({ name: 'Taro Yamada', organisation: 'Example Lab' });
    expect(named.view.latest.content.ja.credit).toBe('この脆弱性情報は、Taro Yamada (Example Lab) 氏が報告しました。');
    expect(named.view.latest.content.en.credit).toBe('Taro Yamada (Example Lab) reported this vulnerability.');
    const anonymous = await draftedCase({ name: 'Hanako Secret', organisation: 'Hidden Corp', anonymous: true });
    expect(anonymous.view.latest.content.en.credit).toBe('This vulnerability was reported by a finder who wishes to remain anonymous.');
    expect(JSON.stringify(anonymous.view)).not.toMatch(/Hanako|Hidden Corp/);
  });
});

describe('revisions', () => {
  it('keeps every revision: an edit is a new one, the earlier stays as it was', async () => {
    const { caseId, view } = await draftedCase();
    const edited: AdvisoryContent = structuredClone(view.latest.content);
    edited.ja.impact = '管理者のブラウザ上で任意のスクリプトが実行される可能性があります。';
    edited.en.impact = 'An arbitrary script may run in an administrator’s browser.';
    const second = await revise(analyst, caseId, edited, 'impact written');
    expect(second.statusCode).toBe(201);
    expect(second.json()).toMatchObject({ number: 2, state: 'draft', note: 'impact written', authorId: analyst.id });
    const listed = (await advisoryOf(publisher, caseId)).json<AdvisoryView>();
    expect(listed.latest.number).toBe(2);
    expect(listed.latest.content.en.impact).toBe(edited.en.impact);
    expect(listed.revisions.map((r) => [r.number, r.state])).toEqual([
      [2, 'draft'],
      [1, 'draft'],
    ]);
    expect(listed.revisions[0]).not.toHaveProperty('content');
    const first = await t.database.db
      .selectFrom('advisory_revisions')
      .select('content')
      .where('case_id', '=', caseId)
      .where('number', '=', 1)
      .executeTakeFirstOrThrow();
    expect((first.content as AdvisoryContent).en.impact).toBe('');

    // Approving one supersedes the one approved before; an approved revision is not approved again.
    await approve(t, publisher, caseId, 1);
    await approve(t, publisher, caseId, 2);
    const states = (await advisoryOf(coordinator, caseId)).json<AdvisoryView>().revisions.map((r) => [r.number, r.state, r.approvedBy]);
    expect(states).toEqual([
      [2, 'approved', publisher.id],
      [1, 'superseded', publisher.id],
    ]);
    const again = await t.request(publisher, { method: 'POST', url: `/api/v1/cases/${caseId}/advisory/revisions/2/approve` });
    expect(again.statusCode).toBe(409);
    const missing = await t.request(publisher, { method: 'POST', url: `/api/v1/cases/${caseId}/advisory/revisions/9/approve` });
    expect(missing.statusCode).toBe(404);
  });

  it('reads an earlier revision as it was saved, for the team only; a number it does not have is 404', async () => {
    const { caseId, view } = await draftedCase();
    const edited: AdvisoryContent = structuredClone(view.latest.content);
    edited.en.impact = 'Second revision impact';
    expect((await revise(coordinator, caseId, edited, 'second')).statusCode).toBe(201);
    const first = await t.request(publisher, { url: `/api/v1/cases/${caseId}/advisory/revisions/1` });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ number: 1, state: 'draft', note: '', authorId: coordinator.id, approvedByName: null });
    const names = await t.database.db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', [coordinator.id, analyst.id]).execute();
    const nameOf = (id: string) => names.find((n) => n.id === id)!.display_name;
    expect(first.json<{ authorName: string }>().authorName).toBe(nameOf(coordinator.id));
    expect(first.json<{ content: AdvisoryContent }>().content).toEqual(view.latest.content);
    const second = await t.request(analyst, { url: `/api/v1/cases/${caseId}/advisory/revisions/2` });
    expect(second.json()).toMatchObject({ number: 2, note: 'second', content: { en: { impact: 'Second revision impact' } } });
    await approve(t, publisher, caseId, 2);
    const listed = (await advisoryOf(coordinator, caseId)).json<AdvisoryView>().revisions;
    expect(listed.map((r) => [r.number, r.authorName, r.approvedBy, r.approvedByName !== null])).toEqual([
      [2, nameOf(coordinator.id), publisher.id, true],
      [1, nameOf(coordinator.id), null, false],
    ]);
    const missing = await t.request(coordinator, { url: `/api/v1/cases/${caseId}/advisory/revisions/3` });
    expect([missing.statusCode, missing.json<{ error: { code: string } }>().error.code]).toEqual([404, 'revision_not_found']);
    for (const bad of ['0', '-1', 'x', '1.5', '01', '1e3', '99999999999', encodeURIComponent("1' OR 1=1 --")]) {
      const answer = await t.request(coordinator, { url: `/api/v1/cases/${caseId}/advisory/revisions/${bad}` });
      expect([bad, answer.statusCode, answer.json<{ error: { code: string } }>().error.code]).toEqual([bad, 404, 'revision_not_found']);
    }
    expect((await t.request(coordinator, { url: `/api/v1/cases/${caseId}/advisory/revisions/${'9'.repeat(65)}` })).statusCode).toBe(400);
    await expectAccess(t, { url: `/api/v1/cases/${caseId}/advisory/revisions/1` }, { allowed: STAFF_ROLES, hidden: true });
    // The vendor the case is shared with previews it, but does not read the team's revisions.
    expect((await t.request(acme.user, { url: `/api/v1/cases/${caseId}/advisory/revisions/1` })).statusCode).toBe(403);
    expect((await t.request(globex.user, { url: `/api/v1/cases/${caseId}/advisory/revisions/1` })).statusCode).toBe(404);
  });

  it('keeps markup as text and refuses hostile or oversized edits with a clear 4xx', async () => {
    const { caseId, view } = await draftedCase();
    const content: AdvisoryContent = structuredClone(view.latest.content);
    const withNul = structuredClone(content);
    withNul.en.overview = 'a\u0000b';
    const nul = await revise(coordinator, caseId, withNul);
    expect(nul.statusCode).toBe(400);
    content.en.overview = '<script>alert(1)</script><img src=x onerror=alert(2)> done';
    content.ja.description = '<b>太字</b> &amp; \u202Eevil';
    const stored = await revise(coordinator, caseId, content);
    expect(stored.statusCode).toBe(201);
    const preview = await t.request(acme.user, { url: `/api/v1/cases/${caseId}/advisory/preview` });
    expect(preview.headers['content-type']).toMatch(/^application\/json/);
    const shown = preview.json<AdvisoryPreview>().content;
    expect(shown.en.overview).toBe('<script>alert(1)</script><img src=x onerror=alert(2)> done');
    expect(shown.ja.description).toBe('<b>太字</b> &amp; \u202Eevil');

    const withLink = (url: string) => {
      const c = structuredClone(content);
      c.en.references = [{ title: 'x', url }];
      return c;
    };
    const javascriptUrl = await revise(coordinator, caseId, withLink('javascript:alert(1)'));
    expect(javascriptUrl.statusCode).toBe(400);
    expect(javascriptUrl.json()).toMatchObject({ error: { code: 'invalid_reference_url' } });
    expect((await revise(coordinator, caseId, withLink('https://vendor.example/advisory'))).statusCode).toBe(201);

    const longField = structuredClone(content);
    longField.en.impact = 'x'.repeat(50_001);
    expect((await revise(coordinator, caseId, longField)).statusCode).toBe(400);
    const huge = structuredClone(content);
    for (const key of ['overview', 'description', 'impact', 'solution', 'coordinatorNotes', 'credit'] as const) {
      huge.en[key] = 'y'.repeat(49_000);
      huge.ja[key] = 'z'.repeat(49_000);
    }
    const tooLarge = await revise(coordinator, caseId, huge);
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toMatchObject({ error: { code: 'advisory_too_large' } });
    const extra = await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/advisory/revisions`, payload: { content, html: '<p>' } });
    expect(extra.statusCode).toBe(400);
    const wrongShape = await revise(coordinator, caseId, { ja: content.ja, en: { ...content.en, references: 'not a list' } });
    expect(wrongShape.statusCode).toBe(400);
    const tooMany = structuredClone(content);
    tooMany.en.affectedProducts = Array.from({ length: 501 }, (_, i) => `p${i}`);
    expect((await revise(coordinator, caseId, tooMany)).statusCode).toBe(400);
    // Nothing refused was stored: the draft, the hostile one and the one with a link.
    expect((await advisoryOf(coordinator, caseId)).json<AdvisoryView>().revisions).toHaveLength(3);
  });
});

describe('who may do what', () => {
  it('the team reads and writes; a publisher or admin approves, an analyst or coordinator cannot; outsiders get 404', async () => {
    const { caseId, view } = await draftedCase();
    await expectAccess(t, { url: `/api/v1/cases/${caseId}/advisory` }, { allowed: STAFF_ROLES, hidden: true });
    await expectAccess(t, { url: `/api/v1/cases/${caseId}/publication` }, { allowed: STAFF_ROLES, hidden: true });
    const outcome = async (role: Role, request: Parameters<TestApp['request']>[1]) => {
      const user = role === 'vendor_user' ? acme.user : await t.createUser([role]);
      return (await t.request(user, request)).statusCode;
    };
    const handlers = ['admin', 'coordinator', 'analyst'];
    for (const role of ROLES) {
      const revised = await outcome(role, { method: 'POST', url: `/api/v1/cases/${caseId}/advisory/revisions`, payload: { content: view.latest.content } });
      const drafted = await outcome(role, { method: 'POST', url: `/api/v1/cases/${caseId}/advisory` });
      // Acme's user sees the case (shared), so it is refused with 403; everyone else outside gets the same 404 as for no case.
      const refused = role === 'vendor_user' || role === 'publisher' ? 403 : 404;
      expect([role, revised, drafted]).toEqual([role, ...(handlers.includes(role) ? [201, 201] : [refused, refused])]);
    }
    let revision = 1;
    for (const role of ROLES) {
      revision++;
      const approved = await outcome(role, { method: 'POST', url: `/api/v1/cases/${caseId}/advisory/revisions/${revision}/approve` });
      const expected = role === 'publisher' || role === 'admin' ? 200 : role === 'vendor_user' || STAFF_ROLES.includes(role as never) ? 403 : 404;
      expect([role, approved]).toEqual([role, expected]);
    }
    expect((await advisoryOf(null, caseId)).statusCode).toBe(401);
  });

  it('a vendor previews only once the case is shared with it, and sees only its own rows of the vendor table', async () => {
    const { caseId } = await draftedCase();
    expect((await t.request(globex.user, { url: `/api/v1/cases/${caseId}/advisory/preview` })).statusCode).toBe(404);
    const stranger = await outsideOrganisationWithUser(t, 'Initech');
    expect((await t.request(stranger.user, { url: `/api/v1/cases/${caseId}/advisory/preview` })).statusCode).toBe(404);
    const partner = await outsideOrganisationWithUser(t, 'Partner CERT', { kind: 'csirt', role: 'partner' });
    expect((await t.request(partner.user, { url: `/api/v1/cases/${caseId}/advisory/preview` })).statusCode).toBe(404);
    const preview = await t.request(acme.user, { url: `/api/v1/cases/${caseId}/advisory/preview` });
    expect(preview.statusCode).toBe(200);
    expect(preview.json<AdvisoryPreview>()).toMatchObject({ number: 1, state: 'draft' });
    const rows = preview.json<AdvisoryPreview>().content.en.vendorInformation;
    expect(rows.map((r) => r.vendor)).toEqual(['Acme Networks']);
    expect(JSON.stringify(preview.json())).not.toContain('Globex');
    // The team's view keeps every row; the staff-only reads refuse the vendor.
    expect(
      (await t.request(coordinator, { url: `/api/v1/cases/${caseId}/advisory/preview` })).json<AdvisoryPreview>().content.en.vendorInformation,
    ).toHaveLength(2);
    expect((await advisoryOf(acme.user, caseId)).statusCode).toBe(403);
    // Once a revision is approved, that one is what participants preview, though a later draft exists.
    await approve(t, publisher, caseId, 1);
    const later = (await advisoryOf(coordinator, caseId)).json<AdvisoryView>().latest.content;
    later.en.coordinatorNotes = 'Not approved yet';
    await revise(coordinator, caseId, later);
    expect((await t.request(acme.user, { url: `/api/v1/cases/${caseId}/advisory/preview` })).json<AdvisoryPreview>()).toMatchObject({
      number: 1,
      state: 'approved',
    });
    // No advisory yet: 404 with its own code.
    const bare = await caseWithVulnerability(t, coordinator);
    const none = await t.request(coordinator, { url: `/api/v1/cases/${bare.caseId}/advisory/preview` });
    expect(none.json()).toMatchObject({ error: { code: 'advisory_not_found' } });
  });
});

describe('publication through the API', () => {
  it('schedules the publish job at the agreed instant once an approved revision exists, and tells the team what is missing', async () => {
    const { caseId } = await draftedCase();
    const before = (await t.request(coordinator, { url: `/api/v1/cases/${caseId}/publication` })).json<Publication>();
    expect(before).toMatchObject({ published: false, publicId: null, blockers: ['no_agreed_embargo', 'no_approved_revision'] });
    const releaseAt = wholeMinuteAfter(new Date(), 60 * 24 * 10);
    const embargoId = await agreeEmbargo(t, coordinator, caseId, releaseAt);
    const jobsOf = () =>
      t.database.pool.query<{ start_after: Date; data: { embargoId: string } }>(
        `SELECT start_after, data FROM pgboss.job WHERE name = 'vulnerabilities.publish-case' AND data->>'caseId' = $1`,
        [caseId],
      );
    expect((await jobsOf()).rows).toEqual([]);
    expect((await t.request(coordinator, { url: `/api/v1/cases/${caseId}/publication` })).json<Publication>()).toMatchObject({
      dueAt: releaseAt.toISOString(),
      blockers: ['not_due', 'no_approved_revision'],
    });
    await approve(t, publisher, caseId, 1);
    const scheduled = (await jobsOf()).rows;
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]!.start_after.toISOString()).toBe(releaseAt.toISOString());
    expect(scheduled[0]!.data.embargoId).toBe(embargoId);
    // A second approval keeps the one job (keyed by case and embargo).
    const content = (await advisoryOf(coordinator, caseId)).json<AdvisoryView>().latest.content;
    await revise(coordinator, caseId, content);
    await approve(t, publisher, caseId, 2);
    expect((await jobsOf()).rows).toHaveLength(1);
    expect((await t.request(coordinator, { url: `/api/v1/cases/${caseId}/publication` })).json<Publication>().blockers).toEqual(['not_due']);
  });

  it('releases early: publishes now and tells every shared participant, saying more only to one with a PGP key', async () => {
    const { caseId, reference } = await draftedCase();
    await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/vendors`, payload: { organisationId: globex.organisationId } });
    const participants = await t.database.db
      .selectFrom('case_participants')
      .select('id')
      .where('case_id', '=', caseId)
      .where('organisation_id', '=', globex.organisationId)
      .executeTakeFirstOrThrow();
    await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/participants/${participants.id}/share` });
    await insertDirectoryKey(t.database, await makeKey('psirt@acme-networks.example'), { email: 'psirt@acme-networks.example' });
    await agreeEmbargo(t, coordinator, caseId, wholeMinuteAfter(new Date(), 60 * 24 * 30));
    await approve(t, publisher, caseId, 1);

    const byVendor = await t.request(acme.user, {
      method: 'POST',
      url: `/api/v1/cases/${caseId}/release-early`,
      payload: { reason: 'x', exploitationSeen: true },
    });
    expect(byVendor.statusCode).toBe(403);
    const empty = await t.request(coordinator, {
      method: 'POST',
      url: `/api/v1/cases/${caseId}/release-early`,
      payload: { reason: '', exploitationSeen: true },
    });
    expect(empty.statusCode).toBe(400);
    const reason = 'Exploitation seen in the wild <script>';
    const released = await t.request(coordinator, {
      method: 'POST',
      url: `/api/v1/cases/${caseId}/release-early`,
      payload: { reason, exploitationSeen: true },
    });
    expect(released.statusCode).toBe(200);
    expect(released.json()).toMatchObject({ published: true, notified: 2 });

    const publication = (await t.request(coordinator, { url: `/api/v1/cases/${caseId}/publication` })).json<Publication>();
    expect(publication).toMatchObject({ published: true, revision: 1, blockers: [] });
    expect(publication.publicId).toMatch(/^JVN#\d{8}$/);
    const embargo = await t.database.db.selectFrom('case_embargoes').select('state').where('case_id', '=', caseId).where('state', '=', 'released').execute();
    expect(embargo).toHaveLength(1);
    const mails = await t.database.db
      .selectFrom('mail_messages')
      .select(['to_addresses', 'text_body', 'subject'])
      .where('subject', 'like', `%[${reference}] お知らせ / News%`)
      .execute();
    const to = (address: string) => mails.find((m) => m.to_addresses.includes(address));
    expect(mails).toHaveLength(2);
    expect(to('psirt@acme-networks.example')!.text_body).toContain(reason);
    expect(to('psirt@globex-software.example')!.text_body).toContain('Please log in to Renkei');
    expect(to('psirt@globex-software.example')!.text_body).not.toContain('Exploitation');
    expect(mails.every((m) => !m.subject.includes('Exploitation'))).toBe(true);

    const twice = await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/release-early`, payload: { reason, exploitationSeen: true } });
    expect(twice.statusCode).toBe(409);
    const frozen = await revise(coordinator, caseId, publication.document);
    expect(frozen.statusCode).toBe(409);
  });
});
