import type { AdvisoryView } from '@renkei/contract';
import type { TestApp, TestUser } from '../testing/test-app.ts';
import { addSharedVendor } from './vulnerabilities-test-kit.ts';

/**
 * A case from a finder's report with the given credit wishes, accepted as multi-party or not, with one
 * scored vulnerability (CWE-79, CVSS 3.1 6.1): its id, reference and the vulnerability's id.
 */
export async function caseWithVulnerability(
  t: TestApp,
  coordinator: TestUser,
  options: { product?: string; credit?: { name?: string; organisation?: string; anonymous?: boolean }; multiParty?: boolean } = {},
): Promise<{ caseId: string; reference: string; vulnerabilityId: string }> {
  const product = options.product ?? 'Acme Router';
  const filed = await t.request(coordinator, {
    method: 'POST',
    url: '/api/v1/vulnerability-reports',
    payload: {
      productName: product,
      description: `Stored XSS in ${product}`,
      vulnerabilityType: 'CWE-79',
      finder: { name: 'Finder', email: 'finder@example.net', language: 'ja' },
      ...(options.credit ? { credit: options.credit } : {}),
    },
  });
  if (filed.statusCode !== 201) throw new Error(`filing failed: ${filed.statusCode} ${filed.body}`);
  const accepted = await t.request(coordinator, {
    method: 'POST',
    url: `/api/v1/vulnerability-reports/${filed.json<{ id: string }>().id}/accept`,
    payload: { title: `XSS in ${product}`, titleJa: `${product} におけるクロスサイトスクリプティング`, multiParty: options.multiParty ?? false },
  });
  if (accepted.statusCode !== 201) throw new Error(`accepting failed: ${accepted.statusCode} ${accepted.body}`);
  const { id: caseId, reference } = accepted.json<{ id: string; reference: string }>();
  const vuln = await t.request(coordinator, {
    method: 'POST',
    url: `/api/v1/cases/${caseId}/vulnerabilities`,
    payload: {
      title: 'Stored XSS',
      titleJa: '格納型クロスサイトスクリプティング',
      description: 'The admin page echoes a stored field unescaped.',
      cweId: '79',
      cvss31Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N',
    },
  });
  if (vuln.statusCode !== 201) throw new Error(`adding the vulnerability failed: ${vuln.statusCode} ${vuln.body}`);
  return { caseId, reference, vulnerabilityId: vuln.json<{ id: string }>().id };
}

/** A shared vendor answering "vulnerable, fixed in 2.4.1" for its router. */
export async function vendorAnswers(
  t: TestApp,
  coordinator: TestUser,
  caseId: string,
  vulnerabilityId: string,
  vendor: { organisationId: string; user: TestUser },
) {
  await addSharedVendor(t, coordinator, caseId, vendor.organisationId);
  const answered = await t.request(vendor.user, {
    method: 'PUT',
    url: `/api/v1/cases/${caseId}/statuses`,
    payload: { statuses: [{ vulnerabilityId, status: 'vulnerable', productName: 'Router', fixedVersions: '2.4.1', statementJa: '修正版を公開しました' }] },
  });
  if (answered.statusCode !== 200) throw new Error(`answering failed: ${answered.statusCode} ${answered.body}`);
}

/** Generates the first draft; its view. */
export async function draft(t: TestApp, user: TestUser, caseId: string): Promise<AdvisoryView> {
  const made = await t.request(user, { method: 'POST', url: `/api/v1/cases/${caseId}/advisory` });
  if (made.statusCode !== 201) throw new Error(`drafting failed: ${made.statusCode} ${made.body}`);
  return made.json<AdvisoryView>();
}

/** Approves revision n as the publisher. */
export async function approve(t: TestApp, publisher: TestUser, caseId: string, n: number): Promise<void> {
  const approved = await t.request(publisher, { method: 'POST', url: `/api/v1/cases/${caseId}/advisory/revisions/${n}/approve` });
  if (approved.statusCode !== 200) throw new Error(`approving failed: ${approved.statusCode} ${approved.body}`);
}

/** The next whole minute at least `minutes` from `from`. */
export function wholeMinuteAfter(from: Date, minutes: number): Date {
  const at = new Date(from.getTime() + minutes * 60_000);
  at.setUTCSeconds(0, 0);
  return at;
}

/** Proposes an instant and agrees it as the team: the embargo's id. */
export async function agreeEmbargo(t: TestApp, coordinator: TestUser, caseId: string, releaseAt: Date): Promise<string> {
  const proposed = await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/embargo`, payload: { releaseAt: releaseAt.toISOString() } });
  if (proposed.statusCode !== 201) throw new Error(`proposing failed: ${proposed.statusCode} ${proposed.body}`);
  const embargoId = proposed.json<{ id: string }>().id;
  const agreed = await t.request(coordinator, {
    method: 'POST',
    url: `/api/v1/cases/${caseId}/embargo/${embargoId}/decision`,
    payload: { decision: 'accepted' },
  });
  if (agreed.statusCode !== 200) throw new Error(`agreeing failed: ${agreed.statusCode} ${agreed.body}`);
  return embargoId;
}
