import { describe, expect, it } from 'vitest';
import { fiscalYearOf, fiscalYearPeriod, formatMonth, monthOfInstant, nextPeriod, parseMonth, previousPeriod, quarterOf, quarterPeriod } from './periods.ts';

const m = (value: string) => parseMonth(value)!;
const span = (p: { from: number; to: number }) => `${formatMonth(p.from)}..${formatMonth(p.to)}`;

describe('months', () => {
  it('Should read and write YYYY-MM and refuse anything else', () => {
    expect(formatMonth(m('2026-04'))).toBe('2026-04');
    expect(m('2026-12') + 1).toBe(m('2027-01'));
    for (const bad of ['2026-13', '2026-00', '2026-4', '26-04', '2026-04-01', ' 2026-04', '2026/04', '']) expect(parseMonth(bad)).toBeNull();
  });

  it('Should put an instant in the month of the team time zone: 2026-03-31T20:00Z is April in Tokyo, March in UTC', () => {
    expect(formatMonth(monthOfInstant(new Date('2026-03-31T20:00:00Z'), 'Asia/Tokyo'))).toBe('2026-04');
    expect(formatMonth(monthOfInstant(new Date('2026-03-31T14:59:59Z'), 'Asia/Tokyo'))).toBe('2026-03');
    expect(formatMonth(monthOfInstant(new Date('2026-03-31T20:00:00Z'), 'UTC'))).toBe('2026-03');
    expect(formatMonth(monthOfInstant(new Date('2026-04-01T03:00:00Z'), 'America/New_York'))).toBe('2026-03');
  });
});

describe('fiscal years and quarters', () => {
  it('Should start the fiscal year in April: March 2027 is still FY2026, April 2027 is FY2027', () => {
    expect(fiscalYearOf(m('2026-04'), 4)).toBe(2026);
    expect(fiscalYearOf(m('2027-03'), 4)).toBe(2026);
    expect(fiscalYearOf(m('2027-04'), 4)).toBe(2027);
    expect(fiscalYearOf(m('2026-03'), 4)).toBe(2025);
    expect(fiscalYearOf(m('2026-01'), 1)).toBe(2026);
    expect(span(fiscalYearPeriod(2026, 4))).toBe('2026-04..2027-03');
    expect(span(fiscalYearPeriod(2026, 1))).toBe('2026-01..2026-12');
  });

  it('Should cut quarters from the fiscal year start: Q4 of FY2026 is January–March 2027', () => {
    expect(span(quarterPeriod(2026, 1, 4))).toBe('2026-04..2026-06');
    expect(span(quarterPeriod(2026, 4, 4))).toBe('2027-01..2027-03');
    expect(span(quarterPeriod(2026, 1, 10))).toBe('2026-10..2026-12');
    expect(quarterOf(m('2027-02'), 4).label).toBe('FY2026-Q4');
    expect(quarterOf(m('2026-06'), 4).label).toBe('FY2026-Q1');
    expect(quarterOf(m('2026-07'), 4).label).toBe('FY2026-Q2');
  });

  it('Should compare Q1 with the previous fiscal year Q4, a year with the year before, a month with the month before', () => {
    expect(previousPeriod(quarterPeriod(2026, 1, 4), 4).label).toBe('FY2025-Q4');
    expect(span(previousPeriod(quarterPeriod(2026, 1, 4), 4))).toBe('2026-01..2026-03');
    expect(previousPeriod(quarterPeriod(2026, 3, 4), 4).label).toBe('FY2026-Q2');
    expect(span(previousPeriod(fiscalYearPeriod(2026, 4), 4))).toBe('2025-04..2026-03');
    expect(previousPeriod({ kind: 'month', label: '2026-01', fiscalYear: 2025, quarter: null, from: m('2026-01'), to: m('2026-01') }, 4).label).toBe('2025-12');
    expect(nextPeriod(quarterPeriod(2026, 4, 4), 4).label).toBe('FY2027-Q1');
  });
});
