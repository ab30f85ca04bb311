import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../policy/actor.ts';
import { type TestApp, createTestApp } from '../testing/test-app.ts';
import type { NewReport } from './incidents.service.ts';

let t: TestApp;
const ctx = systemContext('test');

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const file = (overrides: Partial<NewReport> = {}) =>
  t.services.incidents.createReport(ctx, { channel: 'api', title: 'Phishing site', category: 'phishing', ...overrides });

describe('reports', () => {
  it('Should give each report a unique IR reference for its year, and keep its observables normalised', async () => {
    const a = await file({ description: 'Fake bank at hxxps://login-bank[.]example/signin from 192.0.2.10, see also AS64500' });
    const b = await file();
    expect(a.report.reference).toMatch(/^IR-\d{4}-\d{6}$/);
    expect(b.report.reference).not.toBe(a.report.reference);
    const view = await t.services.incidents.reportView(a.report.id);
    expect(view.observables.map((o) => `${o.kind} ${o.value}`).sort()).toEqual([
      'asn 64500',
      'domain login-bank.example',
      'ip 192.0.2.10',
      'url https://login-bank.example/signin',
    ]);
    expect(view.observables.find((o) => o.kind === 'url')?.original).toBe('hxxps://login-bank[.]example/signin');
  });

  it('Should keep an IDN homograph as punycode with its display form beside it', async () => {
    const created = await file({ observables: ['https://аpple.com/login'] });
    const domain = (await t.services.incidents.reportView(created.report.id)).observables.find((o) => o.kind === 'domain');
    expect(domain).toMatchObject({ value: 'xn--pple-43d.com', display: 'аpple.com' });
  });

  it('Should cap thousands of observables in one report and say how many were dropped', async () => {
    const items = Array.from({ length: 6000 }, (_, i) => `198.51.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    const created = await file({ observables: items });
    expect(created.observableCount).toBe(5000);
    expect(created.observablesDropped).toBe(1000);
    expect(created.warnings[0]).toContain('1000 were not stored');
    expect((await t.services.incidents.reportView(created.report.id)).observablesDropped).toBe(1000);
  });

  it('Should store NUL bytes and lone surrogates cleaned rather than fail', async () => {
    const created = await file({ title: 'a\u0000b\uD800c', description: '<script>alert(1)</script>' });
    expect(created.report.title).toBe('ab\uFFFDc');
    expect(created.report.description).toBe('<script>alert(1)</script>');
  });
});

describe('incidents', () => {
  it('Should propose the open incident with the same URL and category, and not one of another category', async () => {
    const first = await file({ observables: ['http://phish.example/a'] });
    const incident = await t.services.incidents.createIncident(ctx, { reportIds: [first.report.id] });
    expect(incident.reference).toMatch(/^INC-\d{4}-\d{6}$/);
    expect(incident.firstReportedAt?.getTime()).toBe(first.report.receivedAt.getTime());
    const second = await file({ observables: ['hxxp://phish[.]example/a'] });
    const proposals = await t.services.incidents.proposals(ctx, second.report.id);
    expect(proposals.map((p) => p.incident.id)).toEqual([incident.id]);
    expect(proposals[0]!.matched.map((m) => m.kind).sort()).toEqual(['domain', 'url']);
    const scan = await file({ category: 'scan', observables: ['http://phish.example/a'] });
    expect(await t.services.incidents.proposals(ctx, scan.report.id)).toEqual([]);
  });

  it('Should merge and split keeping every link and event, with a merged_into pointer', async () => {
    const [r1, r2, r3] = [await file(), await file(), await file()];
    const a = await t.services.incidents.createIncident(ctx, { reportIds: [r1.report.id, r2.report.id] });
    const b = await t.services.incidents.createIncident(ctx, { reportIds: [r3.report.id] });
    const merged = await t.services.incidents.mergeIncident(ctx, b.id, a.id);
    expect(merged.reportIds.sort()).toEqual([r1.report.id, r2.report.id, r3.report.id].sort());
    const source = await t.services.incidents.getIncident(ctx, b.id);
    expect(source).toMatchObject({ status: 'merged', mergedInto: a.id, reportIds: [] });
    await expect(t.services.incidents.updateIncident(ctx, b.id, { priority: 1 })).rejects.toThrow(/merged/);
    const history = await t.database.db.selectFrom('incident_reports').select(['incident_id', 'unlinked_at']).where('report_id', '=', r3.report.id).execute();
    expect(history).toHaveLength(2);

    const split = await t.services.incidents.splitIncident(ctx, a.id, { reportIds: [r3.report.id], title: 'Separate site' });
    expect(split.reportIds).toEqual([r3.report.id]);
    expect((await t.services.incidents.getIncident(ctx, a.id)).reportIds).toHaveLength(2);
    const kinds = (await t.services.incidents.timeline(ctx, a.id)).map((e) => e.kind);
    expect(kinds).toEqual(['created', 'report_linked', 'report_linked', 'report_linked', 'merged_from', 'report_unlinked', 'split_to']);
    expect((await t.services.incidents.timeline(ctx, b.id)).map((e) => e.kind)).toEqual(['created', 'report_linked', 'report_unlinked', 'merged_into']);
  });

  it('Should record phishing detail and compute the takedown time, refusing a site down before it was reported', async () => {
    const r = await file();
    const incident = await t.services.incidents.createIncident(ctx, { reportIds: [r.report.id] });
    const down = new Date(r.report.receivedAt.getTime() + 3 * 3600_000).toISOString();
    const updated = await t.services.incidents.updateIncident(ctx, incident.id, {
      brand: 'Example Bank',
      brandSector: 'finance',
      brandDomestic: true,
      hostingType: 'compromised',
      siteDownAt: down,
    });
    expect(updated).toMatchObject({ brand: 'Example Bank', brandDomestic: true, takedownSeconds: 3 * 3600 });
    await expect(t.services.incidents.updateIncident(ctx, incident.id, { siteDownAt: '2000-01-01T00:00:00Z' })).rejects.toThrow(/before it was first reported/);
    const event = (await t.services.incidents.timeline(ctx, incident.id)).at(-1)!;
    expect(event.kind).toBe('updated');
    expect(Object.keys(event.data.changes as object).sort()).toEqual(['brand', 'brandDomestic', 'brandSector', 'hostingType', 'siteDownAt']);
  });
});
