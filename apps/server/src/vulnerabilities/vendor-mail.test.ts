import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseMail, CaseMessage, VendorMailDraft } from '@renkei/contract';
import type { TestApp, TestUser } from '../testing/test-app.ts';
import { caseWithTwoVendors, draftsFor, readAsRecipient, relayed, sendDrafts } from './vendor-mail-test-kit.ts';
import { outsideOrganisationWithUser, startCaseHarness } from './vulnerabilities-test-kit.ts';

let harness: Awaited<ReturnType<typeof startCaseHarness>>;
let t: TestApp;
let world: Awaited<ReturnType<typeof caseWithTwoVendors>>;

beforeAll(async () => {
  harness = await startCaseHarness();
  t = harness.t;
  world = await caseWithTwoVendors(harness);
});
afterAll(async () => harness.close());

const mailsOf = async (user: TestUser = world.coordinator) => (await t.request(user, { url: `/api/v1/cases/${world.caseId}/mails` })).json<CaseMail[]>();
const participant = (id: string) => t.database.db.selectFrom('case_participants').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const send = (mails: object[], user: TestUser = world.coordinator) =>
  t.request(user, { method: 'POST', url: `/api/v1/cases/${world.caseId}/mails`, payload: { mails } });

describe('drafts of the team’s mail to vendors', () => {
  it('Should draft one mail per vendor in its language, saying which goes encrypted', async () => {
    const drafts = await draftsFor(t, world.coordinator, world.caseId, { template: 'initial' });
    const kagi = drafts.find((d) => d.participantId === world.kagi.participantId)!;
    const plain = drafts.find((d) => d.participantId === world.plain.participantId)!;
    expect(drafts).toHaveLength(2);
    expect(kagi).toMatchObject({ language: 'ja', encrypted: true, to: world.kagi.address, subject: '脆弱性情報のご連絡' });
    expect(kagi.body).toContain(world.reference);
    expect(kagi.body).toContain('ログインフォームにおける SQL インジェクション');
    expect(plain).toMatchObject({ language: 'en', encrypted: false, to: world.plain.address, subject: 'Vulnerability information for your products' });
    expect(plain.body).toContain('SQL injection in the login form');
    // What goes out in clear names the case and the way in, nothing else.
    expect(plain.noticeBody).toContain(world.reference);
    expect(plain.noticeBody).not.toContain('SQL');
  });

  it('Should draft for the chosen vendors only, and 404 a participant of no such case', async () => {
    const drafts = await draftsFor(t, world.coordinator, world.caseId, { template: 'embargo_proposal', participantIds: [world.plain.participantId] });
    expect(drafts.map((d) => d.participantId)).toEqual([world.plain.participantId]);
    expect(drafts[0]!.subject).toBe('Proposed publication date');
    const stray = await t.request(world.coordinator, {
      method: 'POST',
      url: `/api/v1/cases/${world.caseId}/mail-drafts`,
      payload: { template: 'initial', participantIds: ['00000000-0000-4000-8000-000000000000'] },
    });
    expect(stray.statusCode).toBe(404);
  });
});

describe('sending the drafts', () => {
  let sent: CaseMail[];
  let drafts: VendorMailDraft[];

  beforeAll(async () => {
    drafts = await draftsFor(t, world.coordinator, world.caseId, { template: 'initial' });
    await sendDrafts(t, world.coordinator, world.caseId, drafts, (d) => ({ ...d, body: `${d.body}\nSECRET-DETAIL-${d.language}` }));
    sent = await mailsOf();
  });

  it('Should send the vendor with a key its edited text encrypted, with the case tag in the subject', async () => {
    const mail = sent.find((m) => m.participantId === world.kagi.participantId)!;
    expect(mail).toMatchObject({ encrypted: true, content: 'full', language: 'ja', template: 'initial', to: world.kagi.address });
    const { raw } = await relayed(t, harness.sink, mail.mailMessageId);
    expect(raw.toString('latin1')).not.toContain('SECRET-DETAIL');
    const read = await readAsRecipient(raw, world.kagi.key);
    expect(read.encrypted).toBe(true);
    expect(read.subject).toContain(`[${world.reference}]`);
    expect(read.text).toContain('SECRET-DETAIL-ja');
    expect(read.text).toContain('ログインフォームにおける SQL インジェクション');
  });

  it('Should send the vendor without a key only the log-in notice, signed, and keep the text on the case for it', async () => {
    const mail = sent.find((m) => m.participantId === world.plain.participantId)!;
    expect(mail).toMatchObject({ encrypted: false, content: 'notice_only', language: 'en' });
    const { raw } = await relayed(t, harness.sink, mail.mailMessageId);
    expect(raw.toString('latin1')).toMatch(/multipart\/signed/);
    const read = await readAsRecipient(raw);
    expect(read.encrypted).toBe(false);
    expect(read.text).toContain(`/app/cases/${world.caseId}`);
    expect(raw.toString('utf8')).not.toContain('SECRET-DETAIL');
    expect(raw.toString('utf8')).not.toContain('SQL injection');
    // The vendor reads what was written after logging in, in its private thread with the team.
    const messages = (await t.request(world.plain.user, { url: `/api/v1/cases/${world.caseId}/messages` })).json<CaseMessage[]>();
    expect(messages.some((m) => m.privateTo === world.plain.participantId && m.body.includes('SECRET-DETAIL-en'))).toBe(true);
    expect(messages.some((m) => m.body.includes('SECRET-DETAIL-ja'))).toBe(false);
  });

  it('Should record each mail as a contact attempt, share the case and start the 起算日 once', async () => {
    for (const vendor of [world.kagi, world.plain]) {
      const attempts = await t.database.db
        .selectFrom('case_contact_attempts')
        .select(['channel', 'outcome'])
        .where('case_id', '=', world.caseId)
        .where('organisation_id', '=', vendor.organisationId)
        .execute();
      expect(attempts).toEqual([{ channel: 'mail', outcome: 'sent' }]);
      const row = await participant(vendor.participantId);
      expect(row.shared_at).not.toBeNull();
      expect(row.contact_started_at).not.toBeNull();
    }
    const started = (await participant(world.kagi.participantId)).contact_started_at;
    const reminder = await draftsFor(t, world.coordinator, world.caseId, { template: 'reminder', participantIds: [world.kagi.participantId] });
    await sendDrafts(t, world.coordinator, world.caseId, reminder);
    expect((await participant(world.kagi.participantId)).contact_started_at).toEqual(started);
    const events = await t.database.db
      .selectFrom('case_events')
      .select('kind')
      .where('case_id', '=', world.caseId)
      .where('kind', '=', 'vendor_mailed')
      .execute();
    expect(events).toHaveLength(3);
    const statuses = await t.database.db.selectFrom('vendor_statuses').select('status').where('case_id', '=', world.caseId).execute();
    expect(statuses.every((s) => s.status === 'notified_no_answer')).toBe(true);
  });

  it('Should list the case’s mails with their delivery state, newest first', async () => {
    const listed = await mailsOf();
    expect(listed.length).toBeGreaterThanOrEqual(3);
    expect(listed[0]).toMatchObject({ template: 'reminder', vendorName: 'Kagi Vendor' });
    expect(listed.every((m) => ['queued', 'sending', 'sent'].includes(m.status))).toBe(true);
  });
});

describe('who may draft, send and list', () => {
  it('Should 404 an organisation not on the case and refuse the case’s own vendor with 403', async () => {
    const outsider = await outsideOrganisationWithUser(t, 'Outsider Vendor');
    for (const request of [
      { method: 'POST' as const, url: `/api/v1/cases/${world.caseId}/mail-drafts`, payload: { template: 'initial' } },
      {
        method: 'POST' as const,
        url: `/api/v1/cases/${world.caseId}/mails`,
        payload: { mails: [{ participantId: world.kagi.participantId, template: 'initial', subject: 's', body: 'b' }] },
      },
      { method: 'GET' as const, url: `/api/v1/cases/${world.caseId}/mails` },
    ]) {
      expect((await t.request(outsider.user, request)).statusCode).toBe(404);
      expect((await t.request(world.kagi.user, request)).statusCode).toBe(403);
    }
    expect((await t.request(world.coordinator, { url: `/api/v1/cases/00000000-0000-4000-8000-000000000000/mails` })).statusCode).toBe(404);
  });
});

describe('hostile input to the drafts and the send', () => {
  const one = (extra: object) => [{ participantId: world.plain.participantId, template: 'reminder', subject: 'Reminder', body: 'Please answer.', ...extra }];

  it('Should never let CR or LF in a subject make a header of its own', async () => {
    const response = await send(one({ subject: 'Hello\r\nBcc: evil@attacker.example\r\n\r\nInjected body\nX-Evil: 1' }));
    expect(response.statusCode).toBe(201);
    const mail = (await mailsOf()).find((m) => m.subject.includes('Hello'))!;
    expect(mail.subject).not.toMatch(/[\r\n]/);
    const { raw } = await relayed(t, harness.sink, mail.mailMessageId);
    const headers = raw.toString('latin1').split(/\r\n\r\n/)[0]!;
    expect(headers).not.toMatch(/^Bcc:/im);
    expect(headers).not.toMatch(/^X-Evil:/im);
    expect(harness.sink.messages.some((m) => m.to.includes('evil@attacker.example'))).toBe(false);
  });

  it('Should refuse what no mail may be, with 400 and nothing sent', async () => {
    const before = (await mailsOf()).length;
    const bad: object[] = [
      { mails: one({ body: 'x'.repeat(100_001) }) },
      { mails: one({ subject: 'x'.repeat(501) }) },
      { mails: one({ subject: '\r\n\t\u0000' }) },
      { mails: one({ body: 'NUL \u0000 inside' }) },
      { mails: one({ body: '\u0001\u0007  \u007f \t ' }) },
      { mails: one({ template: 'phishing' }) },
      { mails: one({ participantId: 'not-a-uuid' }) },
      { mails: one({ to: 'evil@attacker.example' }) },
      { mails: [] },
      { mails: [...one({}), ...one({})] },
      { mails: Array.from({ length: 201 }, () => one({})[0]) },
      { mails: 'everyone' },
      {},
    ];
    for (const payload of bad) {
      const response = await t.request(world.coordinator, { method: 'POST', url: `/api/v1/cases/${world.caseId}/mails`, payload });
      expect(response.statusCode, JSON.stringify(payload).slice(0, 120)).toBe(400);
    }
    const many = Array.from({ length: 501 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    for (const payload of [
      { template: 'initial', participantIds: [] },
      { template: 'initial', participantIds: many },
      { template: 'initial', participantIds: [world.kagi.participantId, world.kagi.participantId] },
      { template: 'initial', participantIds: ["' OR 1=1 --"] },
      { template: 'initial', extra: 1 },
      { template: '<script>' },
      { participantIds: 'all' },
    ]) {
      const response = await t.request(world.coordinator, { method: 'POST', url: `/api/v1/cases/${world.caseId}/mail-drafts`, payload });
      expect(response.statusCode, JSON.stringify(payload).slice(0, 120)).toBe(400);
    }
    expect((await mailsOf()).length).toBe(before);
  });

  it('Should send odd but harmless text as it is, cleaned of control characters', async () => {
    const response = await send(one({ subject: '‮ 🙂 <b>件名</b> \u0007', body: 'Zalgo z̷̛͈a̸l̵g̶o\u0001 and <script>alert(1)</script>' }));
    expect(response.statusCode, response.body).toBe(201);
    const mail = (await mailsOf())[0]!;
    expect(mail.subject).toContain('🙂 <b>件名</b>');
    expect(mail.subject).not.toContain('\u0007');
  });
});
