import { randomBytes } from 'node:crypto';
import type { Role } from '@renkei/contract';
import { INTAKE, type MailHarness, insertDirectoryKey, makeKey, startMailHarness, startSink } from '../mail/mail-test-kit.ts';
import { systemContext } from '../policy/actor.ts';
import type { TestApp, TestUser } from '../testing/test-app.ts';

/** An outside organisation of the directory (a vendor, by default) with one user of the role and an API token. */
export async function outsideOrganisationWithUser(
  t: TestApp,
  name: string,
  options: { kind?: 'vendor' | 'csirt' | 'isp' | 'government' | 'subscriber' | 'other'; role?: Role } = {},
): Promise<{ organisationId: string; user: TestUser }> {
  const system = systemContext('test');
  const organisation = await t.services.contacts.createOrganisation(system, {
    name,
    kind: options.kind ?? 'vendor',
    contactEmail: `psirt@${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example`,
  });
  const role = options.role ?? 'vendor_user';
  const email = `${role}-${randomBytes(4).toString('hex')}@${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const created = await t.services.accounts.createUser(system, {
    email,
    displayName: `${role} of ${name}`,
    password,
    roles: [role],
    organisationId: organisation.id,
  });
  const { token } = await t.services.accounts.createToken(system, { name: 'test', roles: [role], expiresInDays: 1, userId: created.id });
  return { organisationId: organisation.id, user: { id: created.id, email, password, roles: [role], token } };
}

/** A finder's report filed over the API by a coordinator, then accepted: the new case's id and reference. */
export async function openCase(
  t: TestApp,
  coordinator: TestUser,
  productName = 'Acme Router',
): Promise<{ caseId: string; reference: string; reportId: string }> {
  const filed = await t.request(coordinator, {
    method: 'POST',
    url: '/api/v1/vulnerability-reports',
    payload: {
      productName,
      description: `Stored XSS in the admin page of ${productName}`,
      vulnerabilityType: 'CWE-79',
      finder: { name: 'Finder', email: 'finder@example.net', language: 'ja' },
    },
  });
  if (filed.statusCode !== 201) throw new Error(`filing failed: ${filed.statusCode} ${filed.body}`);
  const reportId = filed.json<{ id: string }>().id;
  const accepted = await t.request(coordinator, {
    method: 'POST',
    url: `/api/v1/vulnerability-reports/${reportId}/accept`,
    payload: { title: `XSS in ${productName}` },
  });
  if (accepted.statusCode !== 201) throw new Error(`accepting failed: ${accepted.statusCode} ${accepted.body}`);
  const { id, reference } = accepted.json<{ id: string; reference: string }>();
  return { caseId: id, reference, reportId };
}

/** Adds a vendor to the case and shares it (the vendor is notified): its participant id. */
export async function addSharedVendor(t: TestApp, coordinator: TestUser, caseId: string, organisationId: string): Promise<string> {
  const added = await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/vendors`, payload: { organisationId } });
  if (added.statusCode !== 201) throw new Error(`adding vendor failed: ${added.statusCode} ${added.body}`);
  const participantId = added.json<{ participantId: string }>().participantId;
  const shared = await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/participants/${participantId}/share` });
  if (shared.statusCode !== 204) throw new Error(`sharing failed: ${shared.statusCode} ${shared.body}`);
  return participantId;
}

/**
 * A test app whose outbound mail really goes out: a loopback relay (the sink), the instance key that signs,
 * and a job worker (notices and finders' mail are jobs). Accepting a report tells the finder through it.
 */
export async function startCaseHarness(
  env: NodeJS.ProcessEnv = {},
): Promise<{ h: MailHarness; t: TestApp; sink: Awaited<ReturnType<typeof startSink>>; close: () => Promise<void> }> {
  const sink = await startSink();
  const h = await startMailHarness({ RENKEI_SMTP_RELAY: sink.url, ...env });
  await insertDirectoryKey(h.t.database, await makeKey(INTAKE), { email: INTAKE, instance: true });
  await h.t.services.jobs.startWorker({ concurrency: 1 });
  return {
    h,
    t: h.t,
    sink,
    async close() {
      await h.close();
      await sink.close();
    },
  };
}
