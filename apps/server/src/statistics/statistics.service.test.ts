import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentCategory, MonthlyStatistics, PeriodComparison } from '@renkei/contract';
import type { Database } from '../db/database.ts';
import { systemContext } from '../policy/actor.ts';
import { openTestDatabase } from '../testing/test-database.ts';
import { fiscalYearPeriod, monthPeriod, parseMonth, quarterPeriod } from './periods.ts';
import { buildCoordination, buildIncident, buildReport } from './statistics.factories.ts';
import { createStatisticsService } from './statistics.service.ts';

let database: Database;
const ctx = systemContext('test');
const tokyo = () =>
  createStatisticsService({ db: database.db }, { timeZone: 'Asia/Tokyo', fiscalYearStartMonth: 4, now: () => new Date('2026-11-26T00:00:00Z') });

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

const cell = (stats: MonthlyStatistics, month: string, category: IncidentCategory) =>
  stats.months.find((m) => m.month === month)!.categories.find((c) => c.category === category)!;
const row = (stats: PeriodComparison, category: IncidentCategory) => stats.categories.find((c) => c.category === category)!;

// Each describe block uses its own years, so the blocks share one database without seeing each other's rows.
describe('months in the team time zone', () => {
  it('Should count a report received at 2026-03-31T20:00Z in April in Tokyo, and in March when the team counts in UTC', async () => {
    await buildReport(database.db, { receivedAt: '2031-03-31T20:00:00Z', category: 'scan' });
    await buildReport(database.db, { receivedAt: '2031-03-31T14:59:59Z', category: 'scan' }); // 23:59:59 JST, still March
    await buildReport(database.db, { receivedAt: '2031-03-31T15:00:00Z', category: 'scan' }); // 00:00 JST, April
    const jst = await tokyo().monthly(ctx, { from: '2031-03', to: '2031-04' });
    expect(cell(jst, '2031-03', 'scan').reports).toBe(1);
    expect(cell(jst, '2031-04', 'scan').reports).toBe(2);
    const utc = await createStatisticsService({ db: database.db }, { timeZone: 'UTC', fiscalYearStartMonth: 4 }).monthly(ctx, {
      from: '2031-03',
      to: '2031-04',
    });
    expect(cell(utc, '2031-03', 'scan').reports).toBe(3);
    expect(cell(utc, '2031-04', 'scan').reports).toBe(0);
  });

  it('Should leave out what falls just outside the range in the team time zone', async () => {
    await buildReport(database.db, { receivedAt: '2031-05-31T15:00:00Z', category: 'scan' }); // June 1st 00:00 JST
    const stats = await tokyo().monthly(ctx, { from: '2031-04', to: '2031-05' });
    expect(stats.total.reports).toBe(2);
    expect(stats.months.map((m) => m.month)).toEqual(['2031-04', '2031-05']);
  });
});

describe('what counts as a report, an incident and a coordination', () => {
  it('Should count the three measures per month and category as docs/ARCHITECTURE.md defines them', async () => {
    const db = database.db;
    // Reports: own category when unlinked (none → other), the incident's category once linked; discarded ones not at all.
    const linked = await buildReport(db, { receivedAt: '2032-04-10T03:00:00Z', category: 'other' });
    const alsoLinked = await buildReport(db, { receivedAt: '2032-04-11T03:00:00Z', category: 'phishing' });
    await buildReport(db, { receivedAt: '2032-04-12T03:00:00Z', category: 'dos' });
    await buildReport(db, { receivedAt: '2032-04-12T04:00:00Z', category: null });
    await buildReport(db, { receivedAt: '2032-04-12T05:00:00Z', category: 'dos', status: 'discarded' });
    const incident = await buildIncident(db, { createdAt: '2032-04-11T05:00:00Z', category: 'phishing', reportIds: [linked, alsoLinked] });
    // A merged incident counts once, as the incident it was merged into.
    await buildIncident(db, { createdAt: '2032-04-11T06:00:00Z', category: 'phishing', mergedInto: incident });
    // A coordination counts in the month it was first sent, in its incident's category; a draft never sent does not count.
    await buildCoordination(db, { incidentId: incident, createdAt: '2032-04-29T00:00:00Z', sentAt: '2032-05-02T00:00:00Z' });
    await buildCoordination(db, { incidentId: incident, sentAt: '2032-04-20T00:00:00Z' });
    await buildCoordination(db, { incidentId: incident, createdAt: '2032-04-20T00:00:00Z', sentAt: null });
    const stats = await tokyo().monthly(ctx, { from: '2032-04', to: '2032-05' });
    expect(cell(stats, '2032-04', 'phishing')).toEqual({ category: 'phishing', reports: 2, incidents: 1, coordinations: 1 });
    expect(cell(stats, '2032-04', 'other')).toEqual({ category: 'other', reports: 1, incidents: 0, coordinations: 0 });
    expect(cell(stats, '2032-04', 'dos')).toEqual({ category: 'dos', reports: 1, incidents: 0, coordinations: 0 });
    expect(cell(stats, '2032-05', 'phishing')).toEqual({ category: 'phishing', reports: 0, incidents: 0, coordinations: 1 });
    expect(stats.months[0]!.total).toEqual({ reports: 4, incidents: 1, coordinations: 1 });
    expect(stats.total).toEqual({ reports: 4, incidents: 1, coordinations: 2 });
    expect(stats.months[0]!.categories.map((c) => c.category)).toEqual([
      'phishing',
      'defacement',
      'malware_site',
      'scan',
      'dos',
      'ics',
      'targeted_attack',
      'other',
    ]);
  });

  it('Should count a report in the category of the incident it is linked to now, not the one it was moved away from', async () => {
    const db = database.db;
    const report = await buildReport(db, { receivedAt: '2033-06-01T00:00:00Z', category: 'phishing' });
    const first = await buildIncident(db, { createdAt: '2033-06-01T01:00:00Z', category: 'phishing', reportIds: [report] });
    await db
      .updateTable('incident_reports')
      .set({ unlinked_at: new Date('2033-06-02T00:00:00Z'), unlinked_by_label: 'test' })
      .where('incident_id', '=', first)
      .execute();
    await buildIncident(db, { createdAt: '2033-06-02T01:00:00Z', category: 'malware_site', reportIds: [report] });
    const stats = await tokyo().monthly(ctx, { from: '2033-06', to: '2033-06' });
    expect(cell(stats, '2033-06', 'malware_site').reports).toBe(1);
    expect(cell(stats, '2033-06', 'phishing').reports).toBe(0);
  });
});

describe('quarters and fiscal years', () => {
  it('Should put 2034-03-31 23:59:59 JST in FY2033 Q4 and 2034-04-01 00:00 JST in FY2034 Q1, and show Q4 beside Q1 with the change', async () => {
    const db = database.db;
    await buildReport(db, { receivedAt: '2034-03-31T14:59:59Z', category: 'defacement' });
    await buildReport(db, { receivedAt: '2034-01-01T00:00:00Z', category: 'defacement' }); // Jan 1st 09:00 JST: Q4
    await buildReport(db, { receivedAt: '2033-12-31T14:59:59Z', category: 'defacement' }); // Dec 31st JST: Q3
    for (const at of ['2034-03-31T15:00:00Z', '2034-05-15T00:00:00Z', '2034-06-30T14:59:59Z'])
      await buildReport(db, { receivedAt: at, category: 'defacement' });
    await buildReport(db, { receivedAt: '2034-06-30T15:00:00Z', category: 'defacement' }); // July 1st JST: Q2
    await buildIncident(db, { createdAt: '2034-04-02T00:00:00Z', category: 'defacement' });
    const q1 = await tokyo().compare(ctx, quarterPeriod(2034, 1, 4));
    expect(q1.period).toEqual({ kind: 'quarter', label: 'FY2034-Q1', fiscalYear: 2034, quarter: 1, from: '2034-04', to: '2034-06' });
    expect(q1.previous).toMatchObject({ label: 'FY2033-Q4', from: '2034-01', to: '2034-03' });
    expect(q1.months).toEqual(['2034-04', '2034-05', '2034-06']);
    const defacement = row(q1, 'defacement');
    expect(defacement.current).toEqual({ reports: 3, incidents: 1, coordinations: 0 });
    expect(defacement.previous).toEqual({ reports: 2, incidents: 0, coordinations: 0 });
    expect(defacement.change).toEqual({ reports: 1, incidents: 1, coordinations: 0 });
    expect(defacement.byMonth.map((m) => m.reports)).toEqual([1, 1, 1]);
    expect(q1.total.current.reports).toBe(3);
    const q4 = await tokyo().compare(ctx, quarterPeriod(2033, 4, 4));
    expect(row(q4, 'defacement').current.reports).toBe(2);
    expect(row(q4, 'defacement').previous.reports).toBe(1);
  });

  it('Should compare a fiscal year with the one before, and a month with the month before', async () => {
    const fy = await tokyo().compare(ctx, fiscalYearPeriod(2034, 4));
    expect(fy.period).toMatchObject({ label: 'FY2034', from: '2034-04', to: '2035-03' });
    expect(fy.months).toHaveLength(12);
    expect(row(fy, 'defacement').current.reports).toBe(4);
    expect(row(fy, 'defacement').previous.reports).toBe(3);
    const april = await tokyo().compare(ctx, monthPeriod(parseMonth('2034-04')!, 4));
    expect(april.previous.label).toBe('2034-03');
    expect(row(april, 'defacement').current.reports).toBe(1);
    expect(row(april, 'defacement').previous.reports).toBe(1);
  });

  it('Should follow the configured fiscal year start: with January, FY2034 is the calendar year', async () => {
    const calendar = createStatisticsService({ db: database.db }, { timeZone: 'Asia/Tokyo', fiscalYearStartMonth: 1 });
    const fy = await calendar.compare(ctx, fiscalYearPeriod(2034, 1));
    expect(fy.period).toMatchObject({ from: '2034-01', to: '2034-12' });
    expect(row(fy, 'defacement').current.reports).toBe(6);
    const q1 = await calendar.compare(ctx, quarterPeriod(2034, 1, 1));
    expect(q1.previous).toMatchObject({ label: 'FY2033-Q4', from: '2033-10', to: '2033-12' });
    expect(row(q1, 'defacement').current.reports).toBe(2);
  });
});

describe('phishing', () => {
  it('Should break phishing incidents down by brand origin, sector and takedown bucket on exact boundaries', async () => {
    const db = database.db;
    const reported = '2035-04-01T00:00:00Z';
    const after = (hours: number) => new Date(Date.parse(reported) + hours * 3600_000).toISOString();
    const phishing = (fields: { sector?: string | null; domestic?: boolean | null; down?: string | null; first?: string | null }) =>
      buildIncident(db, {
        createdAt: '2035-04-01T01:00:00Z',
        category: 'phishing',
        brand: 'Secret Bank',
        brandSector: fields.sector ?? null,
        brandDomestic: fields.domestic ?? null,
        firstReportedAt: fields.first === undefined ? reported : fields.first,
        siteDownAt: fields.down ?? null,
      });
    await phishing({ sector: 'Finance', domestic: true, down: after(23.99) });
    await phishing({ sector: 'Finance', domestic: true, down: after(24) });
    await phishing({ sector: 'Finance', domestic: false, down: after(71.99) });
    await phishing({ sector: ' Finance ', domestic: true, down: after(72) });
    await phishing({ sector: 'E-commerce', domestic: false, down: after(167.99) });
    await phishing({ sector: 'E-commerce', domestic: false, down: after(168) });
    await phishing({ sector: '', domestic: null, down: null });
    await phishing({ sector: null, domestic: null, down: after(5), first: null });
    await buildIncident(db, { createdAt: '2035-04-01T01:00:00Z', category: 'scan', siteDownAt: after(1), firstReportedAt: reported });
    const stats = await tokyo().phishing(ctx, { from: '2035-04', to: '2035-04' });
    expect(stats.total).toBe(8);
    expect(stats.byOrigin).toEqual({ domestic: 3, foreign: 3, unknown: 2 });
    expect(stats.bySector).toEqual([
      { sector: 'Finance', domestic: 3, foreign: 1, unknown: 0, total: 4 },
      { sector: 'E-commerce', domestic: 0, foreign: 2, unknown: 0, total: 2 },
      { sector: null, domestic: 0, foreign: 0, unknown: 2, total: 2 },
    ]);
    expect(Object.fromEntries(stats.takedown.map((t) => [t.bucket, t.count]))).toEqual({
      under_1_day: 1,
      '1_to_3_days': 2,
      '3_to_7_days': 2,
      over_7_days: 1,
      not_down: 1,
      unknown: 1,
    });
  });
});

describe('public counts', () => {
  it('Should leave TLP:RED reports, incidents and their coordinations out of the public counts, and keep them for staff', async () => {
    const db = database.db;
    const red = await buildIncident(db, {
      createdAt: '2036-04-05T00:00:00Z',
      category: 'targeted_attack',
      tlp: 'red',
      reportIds: [await buildReport(db, { receivedAt: '2036-04-04T00:00:00Z', category: 'targeted_attack', tlp: 'amber' })],
    });
    await buildCoordination(db, { incidentId: red, sentAt: '2036-04-06T00:00:00Z' });
    await buildReport(db, { receivedAt: '2036-04-04T00:00:00Z', category: 'targeted_attack', tlp: 'red' });
    const green = await buildIncident(db, {
      createdAt: '2036-04-05T00:00:00Z',
      category: 'targeted_attack',
      tlp: 'green',
      reportIds: [await buildReport(db, { receivedAt: '2036-04-04T00:00:00Z', category: 'targeted_attack', tlp: 'amber+strict' })],
    });
    await buildCoordination(db, { incidentId: green, sentAt: '2036-04-06T00:00:00Z' });
    const service = tokyo();
    const staff = await service.compare(ctx, quarterPeriod(2036, 1, 4));
    const pub = await service.publicCompare(quarterPeriod(2036, 1, 4));
    expect(row(staff, 'targeted_attack').current).toEqual({ reports: 3, incidents: 2, coordinations: 2 });
    expect(row(pub, 'targeted_attack').current).toEqual({ reports: 1, incidents: 1, coordinations: 1 });
  });
});

describe('ranges', () => {
  it('Should refuse a bad month, a reversed range and more than 120 months with named errors', async () => {
    const service = tokyo();
    await expect(service.monthly(ctx, { from: '2026-13', to: '2026-12' })).rejects.toMatchObject({ status: 400, code: 'invalid_month' });
    await expect(service.monthly(ctx, { from: '2026-05', to: '2026-04' })).rejects.toMatchObject({ status: 400, code: 'invalid_range' });
    await expect(service.monthly(ctx, { from: '2016-01', to: '2026-01' })).rejects.toMatchObject({ status: 400, code: 'range_too_long' });
    expect((await service.monthly(ctx, { from: '2016-02', to: '2026-01' })).months).toHaveLength(120);
    await expect(service.compare(ctx, quarterPeriod(1999, 1, 4))).rejects.toMatchObject({ status: 400, code: 'invalid_period' });
  });

  it('Should default to the last 12 months up to the current one in the team time zone', async () => {
    const stats = await tokyo().monthly(ctx, {});
    expect([stats.from, stats.to]).toEqual(['2025-12', '2026-11']);
    const fromOnly = await tokyo().monthly(ctx, { from: '2026-09' });
    expect([fromOnly.from, fromOnly.to]).toEqual(['2026-09', '2026-11']);
    const toOnly = await tokyo().monthly(ctx, { to: '2026-03' });
    expect([toOnly.from, toOnly.to]).toEqual(['2025-04', '2026-03']);
  });
});
