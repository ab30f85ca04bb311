import { sql } from 'kysely';
import { insertDirectoryKey, makeKey } from '../mail/mail-test-kit.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseMessage, ChangedCase } from '@renkei/contract';
import type { TestApp, TestUser } from '../testing/test-app.ts';
import { addSharedVendor, openCase, outsideOrganisationWithUser, startCaseHarness } from './vulnerabilities-test-kit.ts';

let t: TestApp;
let harness: Awaited<ReturnType<typeof startCaseHarness>>;
let coordinator: TestUser;
let acme: { organisationId: string; user: TestUser };
let globex: { organisationId: string; user: TestUser };
let caseId: string;
let globexParticipant: string;

/** The outbound mail queued to an address, newest first (subject and stored text). */
const mailTo = (address: string) =>
  t.database.db
    .selectFrom('mail_messages')
    .select(['subject', 'text_body', 'created_at'])
    .where('direction', '=', 'outbound')
    .where(sql<boolean>`to_addresses @> ARRAY[${address}]::text[]`)
    .orderBy('created_at', 'desc')
    .execute();

/** Waits until the notification job has queued `count` mails to the address (the worker runs it). */
async function waitForMail(address: string, count: number): Promise<Awaited<ReturnType<typeof mailTo>>> {
  for (let i = 0; i < 100; i++) {
    const mails = await mailTo(address);
    if (mails.length >= count) return mails;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail ${count} to ${address}`);
}

beforeAll(async () => {
  harness = await startCaseHarness();
  t = harness.t;
  coordinator = await t.createUser(['coordinator']);
  acme = await outsideOrganisationWithUser(t, 'Acme Messages');
  globex = await outsideOrganisationWithUser(t, 'Globex Messages');
  // Acme's PSIRT has a key: its notices may carry the message. Globex's has none: "there is news" only.
  await insertDirectoryKey(t.database, await makeKey('psirt@acme-messages.example'), { email: 'psirt@acme-messages.example' });
  ({ caseId } = await openCase(t, coordinator, 'Message Router'));
  await addSharedVendor(t, coordinator, caseId, acme.organisationId);
  globexParticipant = await addSharedVendor(t, coordinator, caseId, globex.organisationId);
});
afterAll(async () => harness.close());

const messagesOf = async (user: TestUser) => (await t.request(user, { url: `/api/v1/cases/${caseId}/messages` })).json<CaseMessage[]>();

describe('case messages', () => {
  it('tells each vendor the case was shared, in clear saying only that there is news', async () => {
    const [shared] = await waitForMail('psirt@globex-messages.example', 1);
    expect(shared!.text_body).toContain('ログイン');
    expect(shared!.text_body).not.toContain('Message Router');
  });

  it('lets the team and vendors talk in the case thread, hiding which vendor wrote to the others', async () => {
    const team = await t.request(coordinator, {
      method: 'POST',
      url: `/api/v1/cases/${caseId}/messages`,
      payload: { body: 'Please confirm the affected versions.' },
    });
    expect(team.statusCode).toBe(201);
    const fromAcme = await t.request(acme.user, {
      method: 'POST',
      url: `/api/v1/cases/${caseId}/messages`,
      payload: { body: 'Versions 2.0 to 2.4 are affected.' },
    });
    expect(fromAcme.statusCode).toBe(201);
    const globexSees = await messagesOf(globex.user);
    expect(globexSees.map((m) => [m.author, m.body])).toEqual([
      ['team', 'Please confirm the affected versions.'],
      ['participant', 'Versions 2.0 to 2.4 are affected.'],
    ]);
    expect(JSON.stringify(globexSees)).not.toContain('Acme');
    const teamSees = await messagesOf(coordinator);
    expect(teamSees.map((m) => m.author)).toEqual(['team', 'Acme Messages']);
    expect((await messagesOf(acme.user)).map((m) => m.mine)).toEqual([false, true]);
  });

  it('keeps a private thread between the team and one vendor', async () => {
    await t.request(acme.user, { method: 'POST', url: `/api/v1/cases/${caseId}/messages`, payload: { body: 'Our fix date is confidential.', private: true } });
    await t.request(coordinator, {
      method: 'POST',
      url: `/api/v1/cases/${caseId}/messages`,
      payload: { body: 'Only for Globex.', privateTo: globexParticipant },
    });
    const acmeBodies = (await messagesOf(acme.user)).map((m) => m.body);
    const globexBodies = (await messagesOf(globex.user)).map((m) => m.body);
    expect(acmeBodies).toContain('Our fix date is confidential.');
    expect(acmeBodies).not.toContain('Only for Globex.');
    expect(globexBodies).toContain('Only for Globex.');
    expect(globexBodies).not.toContain('Our fix date is confidential.');
    // A vendor cannot address another participant's private thread.
    const aimed = await t.request(acme.user, { method: 'POST', url: `/api/v1/cases/${caseId}/messages`, payload: { body: 'x', privateTo: globexParticipant } });
    expect(aimed.statusCode).toBe(400);
  });

  it('mails the message itself only where it can be encrypted', async () => {
    const acmeMail = await waitForMail('psirt@acme-messages.example', 2);
    expect(acmeMail.some((m) => m.text_body.includes('Only for Globex.'))).toBe(false);
    expect(acmeMail.some((m) => m.text_body.includes('Please confirm the affected versions.'))).toBe(true);
    const globexMail = await waitForMail('psirt@globex-messages.example', 4);
    expect(globexMail.every((m) => !/Please confirm|Versions 2.0|Only for Globex/.test(m.text_body))).toBe(true);
  });

  it('lists the cases changed since the last visit until the user opens them', async () => {
    const changed = async () => (await t.request(globex.user, { url: '/api/v1/cases/changed' })).json<ChangedCase[]>().map((c) => c.id);
    expect(await changed()).toContain(caseId);
    expect((await messagesOf(globex.user)).every((m) => m.unread)).toBe(true);
    expect((await t.request(globex.user, { method: 'POST', url: `/api/v1/cases/${caseId}/seen` })).statusCode).toBe(204);
    expect(await changed()).not.toContain(caseId);
    expect((await messagesOf(globex.user)).some((m) => m.unread)).toBe(false);
    await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/messages`, payload: { body: 'A new question.' } });
    expect(await changed()).toContain(caseId);
    // Only what came after the visit is new; one's own messages never are.
    expect((await messagesOf(globex.user)).filter((m) => m.unread).map((m) => m.body)).toEqual(['A new question.']);
    expect((await messagesOf(coordinator)).some((m) => m.unread && m.mine)).toBe(false);
    // Having read everything, one's own answer is no news to oneself; it is to the others.
    await t.request(globex.user, { method: 'POST', url: `/api/v1/cases/${caseId}/seen` });
    await t.request(globex.user, { method: 'POST', url: `/api/v1/cases/${caseId}/messages`, payload: { body: 'Our answer.' } });
    expect(await changed()).not.toContain(caseId);
    const acmeChanged = (await t.request(acme.user, { url: '/api/v1/cases/changed' })).json<ChangedCase[]>().map((c) => c.id);
    expect(acmeChanged).toContain(caseId);
  });

  it('refuses empty and oversized messages, and hides the thread from outsiders with the case’s 404', async () => {
    expect((await t.request(acme.user, { method: 'POST', url: `/api/v1/cases/${caseId}/messages`, payload: { body: '   ' } })).statusCode).toBe(400);
    expect((await t.request(acme.user, { method: 'POST', url: `/api/v1/cases/${caseId}/messages`, payload: { body: 'x'.repeat(100_001) } })).statusCode).toBe(
      400,
    );
    const stranger = await outsideOrganisationWithUser(t, 'Stranger Corp');
    expect((await t.request(stranger.user, { url: `/api/v1/cases/${caseId}/messages` })).statusCode).toBe(404);
    expect((await t.request(stranger.user, { method: 'POST', url: `/api/v1/cases/${caseId}/messages`, payload: { body: 'hi' } })).statusCode).toBe(404);
    expect((await t.request(stranger.user, { url: '/api/v1/cases/changed' })).json()).toEqual([]);
  });
});
