import { systemContext } from '../policy/actor.ts';
import type { TestApp } from './test-app.ts';

/** What organisation A holds in a vulnerability case: values to try in routes, and strings B must never see. */
export interface SeededCase {
  identifiers: string[];
  secrets: string[];
}

/**
 * Organisation A as a vendor on a shared vulnerability case: A's reporter files a finder's report over
 * HTTP, the team accepts it into a case, adds a vulnerability, adds A as a vendor and shares the case; A's
 * vendor user answers with a distinctive statement and proposes an embargo, both over HTTP.
 * @example const { identifiers, secrets } = await seedVulnerabilityCase(t, 'iso1234', org.id, tokens);
 */
export async function seedVulnerabilityCase(
  t: TestApp,
  marker: string,
  organisationId: string,
  tokens: { reporter: string; vendorUser: string },
): Promise<SeededCase> {
  const system = systemContext('test');
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const filed = await t.app.inject({
    method: 'POST',
    url: '/api/v1/vulnerability-reports',
    headers: as(tokens.reporter),
    payload: {
      productName: `Product ${marker}`,
      title: `Finding ${marker}`,
      description: `Command injection in Product ${marker}, found by ${marker}`,
      vulnerabilityType: 'CWE-78',
      finder: { name: `Finder ${marker}` },
    },
  });
  if (filed.statusCode !== 201) throw new Error(`seeding the vulnerability report failed: ${filed.statusCode} ${filed.body}`);
  const report = filed.json<{ id: string; reference: string }>();
  const vulnerabilities = t.services.vulnerabilities;
  const opened = await vulnerabilities.acceptVulnerabilityReport(system, report.id, { title: `Case ${marker}`, titleJa: `案件 ${marker}` });
  const vulnerability = await vulnerabilities.addVulnerability(
    system,
    opened.id,
    { title: `Vulnerability ${marker}`, titleJa: `脆弱性 ${marker}`, description: `Details of ${marker}` },
    { cvss31Vector: null, cvss31Score: null, cvss40Vector: null, cvss40Score: null },
  );
  const participant = await vulnerabilities.addVendor(system, opened.id, { organisationId });
  await vulnerabilities.shareWithParticipant(system, opened.id, participant.id);

  const statement = `Statement ${marker}: fixed in 9.9`;
  const answered = await t.app.inject({
    method: 'PUT',
    url: `/api/v1/cases/${opened.id}/statuses`,
    headers: as(tokens.vendorUser),
    payload: { statuses: [{ vulnerabilityId: vulnerability.id, status: 'vulnerable', statement, statementJa: `声明 ${marker}`, fixedVersions: '9.9' }] },
  });
  if (answered.statusCode !== 200) throw new Error(`seeding the vendor status failed: ${answered.statusCode} ${answered.body}`);
  const releaseAt = new Date(Date.now() + 40 * 86_400_000);
  releaseAt.setUTCSeconds(0, 0);
  const proposed = await t.app.inject({
    method: 'POST',
    url: `/api/v1/cases/${opened.id}/embargo`,
    headers: as(tokens.vendorUser),
    payload: { releaseAt: releaseAt.toISOString(), reason: `Embargo ${marker}` },
  });
  if (proposed.statusCode !== 201) throw new Error(`seeding the embargo failed: ${proposed.statusCode} ${proposed.body}`);
  const embargo = proposed.json<{ id: string }>();

  const identifiers = [opened.id, opened.reference, report.id, report.reference, vulnerability.id, `Case ${marker}`];
  const secrets = [
    ...identifiers,
    participant.id,
    embargo.id,
    `Finding ${marker}`,
    `Vulnerability ${marker}`,
    `脆弱性 ${marker}`,
    `案件 ${marker}`,
    `Finder ${marker}`,
    statement,
    `声明 ${marker}`,
    `Embargo ${marker}`,
  ];
  return { identifiers, secrets };
}
