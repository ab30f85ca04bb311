import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_ROLES } from '@renkei/contract';
import { expectAccess } from '../testing/access.ts';
import { type TestApp, type TestUser, createTestApp } from '../testing/test-app.ts';

let t: TestApp;
let analyst: TestUser;
let partner: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  analyst = await t.createUser(['analyst']);
  partner = await t.createUser(['partner']);
});
afterAll(() => t.close());

async function report(payload: Record<string, unknown> = {}) {
  const response = await t.request(partner, {
    method: 'POST',
    url: '/api/v1/reports',
    payload: { title: 'Phishing at bank look-alike', category: 'phishing', ...payload },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string; reference: string; observableCount: number; observablesDropped: number; warnings: string[] }>();
}

async function incidentFrom(reportIds: string[]) {
  const response = await t.request(analyst, { method: 'POST', url: '/api/v1/incidents', payload: { reportIds } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string; reference: string }>();
}

describe('who may do what', () => {
  it('Should let staff read reports, incidents and timelines, and refuse outside roles and anonymous callers', async () => {
    const r = await report();
    const i = await incidentFrom([r.id]);
    const staff = [...STAFF_ROLES];
    await expectAccess(t, { url: '/api/v1/reports' }, { allowed: staff });
    await expectAccess(t, { url: `/api/v1/reports/${r.id}` }, { allowed: staff, hidden: true });
    await expectAccess(t, { url: `/api/v1/reports/${r.id}/proposals` }, { allowed: staff, hidden: true });
    await expectAccess(t, { url: '/api/v1/incidents' }, { allowed: staff });
    await expectAccess(t, { url: `/api/v1/incidents/${i.id}` }, { allowed: staff, hidden: true });
    await expectAccess(t, { url: `/api/v1/incidents/${i.id}/timeline` }, { allowed: staff, hidden: true });
    await expectAccess(t, { url: `/api/v1/incidents/${i.id}/coordinations` }, { allowed: staff, hidden: true });
    await expectAccess(t, { url: '/api/v1/coordinations/waiting' }, { allowed: staff });
  });

  it('Should let analysts, coordinators and admins write, and partners and reporters only file reports', async () => {
    const r = await report();
    const i = await incidentFrom([r.id]);
    const writers = ['admin', 'coordinator', 'analyst'] as const;
    await expectAccess(t, { method: 'POST', url: '/api/v1/reports', payload: { title: 'x' } }, { allowed: [...writers, 'reporter', 'partner'] });
    await expectAccess(t, { method: 'PATCH', url: `/api/v1/reports/${r.id}`, payload: { priority: 2 } }, { allowed: writers });
    await expectAccess(t, { method: 'POST', url: '/api/v1/incidents', payload: { reportIds: [r.id] } }, { allowed: writers });
    await expectAccess(t, { method: 'PATCH', url: `/api/v1/incidents/${i.id}`, payload: { priority: 2 } }, { allowed: writers });
    await expectAccess(t, { method: 'POST', url: `/api/v1/incidents/${i.id}/notes`, payload: { body: 'note' } }, { allowed: writers });
    await expectAccess(
      t,
      { method: 'POST', url: `/api/v1/incidents/${i.id}/coordinations`, payload: { role: 'isp', contactEmail: 'abuse@isp.example' } },
      { allowed: writers },
    );
    await expectAccess(t, { method: 'POST', url: `/api/v1/reports/${r.id}/messages`, payload: { body: 'Thanks' } }, { allowed: writers });
  });
});

describe('reports by API', () => {
  it('Should answer a JSON report with its reference, and list the triage queue by priority then age', async () => {
    const low = await report({ title: 'low' });
    const high = await report({ title: 'high', observables: ['hxxp://evil[.]example/x', '203.0.113.9', 'd41d8cd98f00b204e9800998ecf8427e'] });
    expect(high.reference).toMatch(/^IR-\d{4}-\d{6}$/);
    expect(high.observableCount).toBe(4);
    await t.request(analyst, { method: 'PATCH', url: `/api/v1/reports/${high.id}`, payload: { priority: 1 } });
    const list = await t.request(analyst, { url: '/api/v1/reports?status=new&limit=200' });
    expect(list.statusCode, list.body).toBe(200);
    const ids = list.json().items.map((item: { id: string }) => item.id);
    expect(ids.indexOf(high.id)).toBeLessThan(ids.indexOf(low.id));
    expect(ids[0]).toBe(high.id);
    const detail = (await t.request(analyst, { url: `/api/v1/reports/${high.id}` })).json();
    expect(detail.observables.map((o: { kind: string }) => o.kind).sort()).toEqual(['domain', 'hash_md5', 'ip', 'url']);
    expect(detail.lookup.map((a: { normalized: string }) => a.normalized).sort()).toEqual(['203.0.113.9', 'evil.example']);
  });

  it('Should read an IODEF v2 document into a report with its addresses, URLs and hashes', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<IODEF-Document version="2.00" xmlns="urn:ietf:params:xml:ns:iodefv2">
  <Incident purpose="mitigation" restriction="green">
    <IncidentID name="csirt.example.com">189493</IncidentID>
    <Description>Phishing site imitating a bank</Description>
    <Contact type="organization" role="creator"><ContactName>Example CSIRT</ContactName><Email><EmailTo>contact@csirt.example.com</EmailTo></Email></Contact>
    <IndicatorData><Indicator><Observable>
      <Address category="ipv4-addr">192.0.2.200</Address>
      <DomainData><Name>bank-login.example</Name></DomainData>
      <URL>http://bank-login.example/signin</URL>
      <DigestValue>1B2M2Y8AsgTpgAmY7PhCfg==</DigestValue>
    </Observable></Indicator></IndicatorData>
  </Incident>
</IODEF-Document>`;
    const response = await t.request(partner, { method: 'POST', url: '/api/v1/reports', headers: { 'content-type': 'application/iodef+xml' }, payload: xml });
    expect(response.statusCode, response.body).toBe(201);
    const detail = (await t.request(analyst, { url: `/api/v1/reports/${response.json().id}` })).json();
    expect(detail).toMatchObject({
      channel: 'iodef',
      category: 'phishing',
      tlp: 'green',
      reporterEmail: 'contact@csirt.example.com',
      contentType: 'application/iodef+xml',
    });
    expect(detail.rawText).toContain('IODEF-Document');
    expect(detail.observables.map((o: { kind: string; value: string }) => `${o.kind} ${o.value}`).sort()).toEqual([
      'domain bank-login.example',
      'hash_md5 d41d8cd98f00b204e9800998ecf8427e',
      'ip 192.0.2.200',
      'url http://bank-login.example/signin',
    ]);
  });

  it('Should read X-ARF 0.3 JSON and X-ARF 0.2 mail-style reports', async () => {
    const v3 = {
      Version: '0.3',
      ReporterInfo: { ReporterOrg: 'Abuse Team', ReporterOrgEmail: 'abuse@reporter.example' },
      Report: { ReportClass: 'Activity', ReportType: 'PortScan', Date: '2026-11-26T00:00:00Z', SourceType: 'IpAddress', Source: '198.51.100.77' },
    };
    const a = await t.request(partner, {
      method: 'POST',
      url: '/api/v1/reports',
      headers: { 'content-type': 'application/xarf+json' },
      payload: JSON.stringify(v3),
    });
    expect(a.statusCode, a.body).toBe(201);
    expect((await t.request(analyst, { url: `/api/v1/reports/${a.json().id}` })).json()).toMatchObject({
      channel: 'xarf',
      category: 'scan',
      reporterEmail: 'abuse@reporter.example',
    });
    const v2 =
      'X-ARF: Yes\nContent-Type: text/plain\n\n---\nReported-From: abuse@reporter.example\nCategory: fraud\nReport-Type: phishing\nSource-Type: uri\nSource: http://phish.example/x\nDate: 2026-11-26\n';
    const b = await t.request(partner, { method: 'POST', url: '/api/v1/reports', headers: { 'content-type': 'text/x-xarf' }, payload: v2 });
    expect(b.statusCode, b.body).toBe(201);
    const detail = (await t.request(analyst, { url: `/api/v1/reports/${b.json().id}` })).json();
    expect(detail).toMatchObject({ channel: 'xarf', category: 'phishing' });
    expect(detail.observables.map((o: { value: string }) => o.value)).toContain('http://phish.example/x');
  });
});

describe('incidents by API', () => {
  it('Should propose the incident for a matching report, link it on confirmation, and show it all on the timeline', async () => {
    const first = await report({ observables: ['https://match.example/login'] });
    const incident = await incidentFrom([first.id]);
    const second = await report({ observables: ['hxxps://match[.]example/login'] });
    const proposals = (await t.request(analyst, { url: `/api/v1/reports/${second.id}/proposals` })).json();
    expect(proposals.map((p: { incident: { id: string } }) => p.incident.id)).toEqual([incident.id]);
    const linked = await t.request(analyst, { method: 'POST', url: `/api/v1/incidents/${incident.id}/reports`, payload: { reportIds: [second.id] } });
    expect(linked.json().reportIds).toHaveLength(2);
    await t.request(analyst, {
      method: 'PATCH',
      url: `/api/v1/incidents/${incident.id}`,
      payload: { assigneeId: analyst.id, dueAt: '2030-01-01T00:00:00Z', tlp: 'amber+strict' },
    });
    await t.request(analyst, { method: 'POST', url: `/api/v1/incidents/${incident.id}/notes`, payload: { body: '<b>checked</b>' } });
    const timeline = (await t.request(analyst, { url: `/api/v1/incidents/${incident.id}/timeline` })).json();
    expect(timeline.map((e: { kind: string }) => e.kind)).toEqual(['created', 'report_linked', 'report_linked', 'updated', 'note']);
    expect(timeline.at(-1).data.body).toBe('<b>checked</b>');
    const detail = (await t.request(analyst, { url: `/api/v1/incidents/${incident.id}` })).json();
    expect(detail).toMatchObject({ assigneeId: analyst.id, tlp: 'amber+strict', rsit: 'fraud:phishing' });
  });

  it('Should move a coordination only along allowed transitions', async () => {
    const incident = await incidentFrom([(await report()).id]);
    const created = await t.request(analyst, {
      method: 'POST',
      url: `/api/v1/incidents/${incident.id}/coordinations`,
      payload: { role: 'isp', contactEmail: 'Abuse@ISP.example' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const coordination = created.json();
    expect(coordination).toMatchObject({ state: 'drafted', threadKey: `${incident.reference}-C1`, contactEmail: 'abuse@isp.example' });
    const bad = await t.request(analyst, { method: 'POST', url: `/api/v1/coordinations/${coordination.id}/transitions`, payload: { state: 'acted' } });
    expect(bad.statusCode).toBe(409);
    expect(bad.json().error.code).toBe('invalid_transition');
    const sent = await t.request(analyst, { method: 'POST', url: `/api/v1/coordinations/${coordination.id}/transitions`, payload: { state: 'sent' } });
    expect(sent.json()).toMatchObject({ state: 'sent' });
    expect(sent.json().nextReminderAt).not.toBeNull();
    const acted = await t.request(analyst, { method: 'POST', url: `/api/v1/coordinations/${coordination.id}/transitions`, payload: { state: 'acted' } });
    expect(acted.json()).toMatchObject({ state: 'acted', nextReminderAt: null });
    const closed = await t.request(analyst, { method: 'POST', url: `/api/v1/coordinations/${coordination.id}/transitions`, payload: { state: 'closed' } });
    expect(closed.json().state).toBe('closed');
    expect(
      (await t.request(analyst, { method: 'POST', url: `/api/v1/coordinations/${coordination.id}/transitions`, payload: { state: 'sent' } })).statusCode,
    ).toBe(409);
  });
});
