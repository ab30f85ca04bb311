import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseSummary } from '@renkei/contract';
import type { TestApp, TestUser } from '../testing/test-app.ts';
import { createVulnerabilitiesService } from './index.ts';
import { addSharedVendor, openCase, outsideOrganisationWithUser, startCaseHarness } from './vulnerabilities-test-kit.ts';

let t: TestApp;
let harness: Awaited<ReturnType<typeof startCaseHarness>>;
let coordinator: TestUser;
let talkative: { organisationId: string; user: TestUser };
let silent: { organisationId: string; user: TestUser };
let caseId: string;

beforeAll(async () => {
  harness = await startCaseHarness();
  t = harness.t;
  coordinator = await t.createUser(['coordinator']);
  talkative = await outsideOrganisationWithUser(t, 'Talkative Vendor');
  silent = await outsideOrganisationWithUser(t, 'Silent Vendor');
  ({ caseId } = await openCase(t, coordinator, 'Reminder Product'));
  const vulnerability = await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/vulnerabilities`, payload: { title: 'SQL injection' } });
  await addSharedVendor(t, coordinator, caseId, talkative.organisationId);
  await addSharedVendor(t, coordinator, caseId, silent.organisationId);
  await t.request(talkative.user, {
    method: 'PUT',
    url: `/api/v1/cases/${caseId}/statuses`,
    payload: { statuses: [{ vulnerabilityId: vulnerability.json<{ id: string }>().id, status: 'vulnerable_investigating' }] },
  });
});
afterAll(async () => harness.close());

/** The service as the hourly job runs it, with the clock moved on. */
const at = (days: number) =>
  createVulnerabilitiesService(
    { db: t.database.db, mail: t.services.mail, blobs: t.services.blobs, contacts: t.services.contacts, jobs: t.services.jobs },
    { now: () => new Date(Date.now() + days * 86_400_000), reminders: { reminderDays: 7, maxReminders: 2 } },
  );

const attemptsOf = (organisationId: string) =>
  t.database.db
    .selectFrom('case_contact_attempts')
    .select(['channel', 'outcome', 'note'])
    .where('case_id', '=', caseId)
    .where('organisation_id', '=', organisationId)
    .execute();

describe('reminders to vendors that have not answered', () => {
  it('reminds only the silent vendor, once per period, at most the configured times, each on the record', async () => {
    expect(await at(3).remindSilentVendors()).toEqual({ reminded: 0 });
    expect(await at(8).remindSilentVendors()).toEqual({ reminded: 1 });
    expect(await at(8).remindSilentVendors()).toEqual({ reminded: 0 });
    expect(await at(16).remindSilentVendors()).toEqual({ reminded: 1 });
    expect(await at(40).remindSilentVendors()).toEqual({ reminded: 0 });
    expect(await attemptsOf(silent.organisationId)).toEqual([
      { channel: 'mail', outcome: 'sent', note: 'reminder 1' },
      { channel: 'mail', outcome: 'sent', note: 'reminder 2' },
    ]);
    expect(await attemptsOf(talkative.organisationId)).toEqual([]);
  });

  it('queues the reminder mail to the silent vendor by the notice job', async () => {
    for (let i = 0; i < 100; i++) {
      const mails = await t.database.db
        .selectFrom('mail_messages')
        .select('text_body')
        .where('direction', '=', 'outbound')
        .where(sql<boolean>`to_addresses @> ARRAY['psirt@silent-vendor.example']::text[]`)
        .execute();
      if (mails.filter((m) => m.text_body.includes('まだご回答')).length === 2) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the two reminder mails were not queued');
  });

  it('keeps a vendor’s own tracking ID, shown in its case list, and refuses it from the team', async () => {
    const set = await t.request(silent.user, { method: 'PUT', url: `/api/v1/cases/${caseId}/tracking-id`, payload: { trackingId: 'PSIRT-4711' } });
    expect(set.statusCode).toBe(204);
    const list = await t.request(silent.user, { url: '/api/v1/cases' });
    expect(list.json<{ items: CaseSummary[] }>().items.find((c) => c.id === caseId)).toMatchObject({ vendorTrackingId: 'PSIRT-4711' });
    const other = await t.request(talkative.user, { url: '/api/v1/cases' });
    expect(other.json<{ items: CaseSummary[] }>().items.find((c) => c.id === caseId)).toMatchObject({ vendorTrackingId: null });
    expect((await t.request(coordinator, { method: 'PUT', url: `/api/v1/cases/${caseId}/tracking-id`, payload: { trackingId: 'X' } })).statusCode).toBe(403);
  });
});
