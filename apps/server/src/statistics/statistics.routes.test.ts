import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_ROLES } from '@renkei/contract';
import { expectAccess } from '../testing/access.ts';
import { type TestApp, type TestUser, createTestApp } from '../testing/test-app.ts';
import { buildCoordination, buildIncident, buildReport } from './statistics.factories.ts';

let t: TestApp;
let analyst: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  analyst = await t.createUser(['analyst']);
  const db = t.database.db;
  const report = await buildReport(db, { receivedAt: '2026-03-31T20:00:00Z', category: 'phishing', title: '=cmd|calc' });
  const incident = await buildIncident(db, {
    createdAt: '2026-04-02T00:00:00Z',
    category: 'phishing',
    reportIds: [report],
    brandSector: '=HYPERLINK("x")',
    brandDomestic: true,
    firstReportedAt: '2026-03-31T20:00:00Z',
    siteDownAt: '2026-04-01T10:00:00Z',
  });
  await buildCoordination(db, { incidentId: incident, sentAt: '2026-04-03T00:00:00Z' });
  await buildReport(db, { receivedAt: '2026-01-10T00:00:00Z', category: 'scan' });
});
afterAll(() => t.close());

const get = (url: string) => t.request(analyst, { url });

describe('who may read statistics', () => {
  it('Should let every staff role read each statistics endpoint, refuse outside roles and ask anonymous callers to log in', async () => {
    for (const url of [
      '/api/v1/statistics/incidents?from=2026-04&to=2026-06',
      '/api/v1/statistics/incidents?from=2026-04&to=2026-06&format=csv',
      '/api/v1/statistics/incidents/quarterly?fy=2026&q=1',
      '/api/v1/statistics/incidents/fiscal-year?fy=2026',
      '/api/v1/statistics/incidents/monthly?month=2026-04',
      '/api/v1/statistics/phishing?from=2026-04&to=2026-06',
    ]) {
      await expectAccess(t, { url }, { allowed: STAFF_ROLES });
    }
  });
});

describe('GET /api/v1/statistics/incidents', () => {
  it('Should answer the three counts per month and category as JSON, counting in Tokyo time', async () => {
    const response = await get('/api/v1/statistics/incidents?from=2026-03&to=2026-04');
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ timeZone: 'Asia/Tokyo', from: '2026-03', to: '2026-04', total: { reports: 1, incidents: 1, coordinations: 1 } });
    expect(body.months.map((m: { month: string }) => m.month)).toEqual(['2026-03', '2026-04']);
    expect(body.months[1].categories[0]).toEqual({ category: 'phishing', reports: 1, incidents: 1, coordinations: 1 });
    expect(body.months[0].total).toEqual({ reports: 0, incidents: 0, coordinations: 0 });
  });

  it('Should answer CSV with a header row, one CRLF row per month and category, as a download', async () => {
    const response = await get('/api/v1/statistics/incidents?from=2026-04&to=2026-05&format=csv');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="incidents-2026-04_2026-05.csv"');
    const lines = response.body.split('\r\n');
    expect(lines[0]).toBe('month,category,reports,incidents,coordinations');
    expect(lines[1]).toBe('2026-04,phishing,1,1,1');
    expect(lines).toHaveLength(1 + 2 * 8 + 1);
    expect(lines.at(-1)).toBe('');
  });

  it('Should refuse bad months, reversed or over-long ranges and unknown formats with 400 in the error shape', async () => {
    for (const [query, code] of [
      ['from=2026-13&to=2026-12', 'validation_failed'],
      ['from=2026-4&to=2026-05', 'validation_failed'],
      ['from=2026-05&to=2026-04', 'invalid_range'],
      ['from=2010-01&to=2026-01', 'range_too_long'],
      ['from=2026-01&to=2026-02&format=xml', 'validation_failed'],
      ['from=<script>&to=2026-02', 'validation_failed'],
    ] as const) {
      const response = await get(`/api/v1/statistics/incidents?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.headers['content-type']).toContain('application/json');
      expect(response.json().error).toMatchObject({ code });
      expect(typeof response.json().error.message).toBe('string');
    }
  });
});

describe('periods beside the previous one', () => {
  it('Should answer FY2026 Q1 beside FY2025 Q4, per category and month, and as CSV in the same layout', async () => {
    const response = await get('/api/v1/statistics/incidents/quarterly?fy=2026&q=1');
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.period).toMatchObject({ label: 'FY2026-Q1', from: '2026-04', to: '2026-06' });
    expect(body.previous).toMatchObject({ label: 'FY2025-Q4', from: '2026-01', to: '2026-03' });
    expect(body.categories.find((c: { category: string }) => c.category === 'scan')).toMatchObject({
      current: { reports: 0 },
      previous: { reports: 1 },
      change: { reports: -1 },
    });
    const csv = await get('/api/v1/statistics/incidents/quarterly?fy=2026&q=1&format=csv');
    const lines = csv.body.split('\r\n');
    expect(lines[0]).toBe('category,measure,2026-04,2026-05,2026-06,current (FY2026-Q1),previous (FY2025-Q4),change');
    expect(lines).toContain('phishing,reports,1,0,0,1,0,1');
    expect(lines).toContain('scan,reports,0,0,0,0,1,-1');
    expect(lines).toContain('total,coordinations,1,0,0,1,0,1');
  });

  it('Should answer a fiscal year and a month beside the one before, and refuse quarters and years out of range', async () => {
    expect((await get('/api/v1/statistics/incidents/fiscal-year?fy=2026')).json().previous.label).toBe('FY2025');
    expect((await get('/api/v1/statistics/incidents/monthly?month=2026-04')).json().previous.label).toBe('2026-03');
    for (const url of [
      '/api/v1/statistics/incidents/quarterly?fy=2026&q=5',
      '/api/v1/statistics/incidents/quarterly?fy=1999&q=1',
      '/api/v1/statistics/incidents/quarterly?fy=2026',
      '/api/v1/statistics/incidents/monthly?month=04-2026',
    ]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    }
  });
});

describe('GET /api/v1/statistics/phishing', () => {
  it('Should answer origin, sector and takedown buckets, and CSV with spreadsheet formulas defused', async () => {
    const body = (await get('/api/v1/statistics/phishing?from=2026-04&to=2026-04')).json();
    expect(body.byOrigin).toEqual({ domestic: 1, foreign: 0, unknown: 0 });
    expect(body.bySector).toEqual([{ sector: '=HYPERLINK("x")', domestic: 1, foreign: 0, unknown: 0, total: 1 }]);
    expect(body.takedown.find((b: { bucket: string }) => b.bucket === 'under_1_day').count).toBe(1);
    const csv = (await get('/api/v1/statistics/phishing?from=2026-04&to=2026-04&format=csv')).body.split('\r\n');
    expect(csv[0]).toBe('breakdown,key,origin,incidents');
    expect(csv).toContain(`sector,"'=HYPERLINK(""x"")",domestic,1`);
    expect(csv).toContain('takedown,under_1_day,,1');
  });
});
