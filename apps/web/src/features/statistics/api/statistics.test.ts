import { describe, expect, it } from 'vitest';
import { exportUrls, fiscalQuarterOf, formatChange } from './statistics.ts';

describe('fiscalQuarterOf', () => {
  it('Should put January–March in Q4 of the fiscal year that began the April before', () => {
    expect(fiscalQuarterOf('2027-02', 4)).toEqual({ fiscalYear: 2026, quarter: 4 });
    expect(fiscalQuarterOf('2026-04', 4)).toEqual({ fiscalYear: 2026, quarter: 1 });
    expect(fiscalQuarterOf('2026-03', 4)).toEqual({ fiscalYear: 2025, quarter: 4 });
    expect(fiscalQuarterOf('2026-12', 1)).toEqual({ fiscalYear: 2026, quarter: 4 });
  });
});

describe('exportUrls', () => {
  it('Should point CSV and JSON downloads at the API with the same parameters', () => {
    expect(exportUrls.monthly('2026-04', '2026-06', 'csv')).toBe('/api/v1/statistics/incidents?from=2026-04&to=2026-06&format=csv');
    expect(exportUrls.monthly('2026-04', '2026-06', 'json')).toBe('/api/v1/statistics/incidents?from=2026-04&to=2026-06');
    expect(exportUrls.period({ fiscalYear: 2026, quarter: 2 }, 'csv')).toBe('/api/v1/statistics/incidents/quarterly?fy=2026&q=2&format=csv');
    expect(exportUrls.period({ fiscalYear: 2026, quarter: null }, 'json')).toBe('/api/v1/statistics/incidents/fiscal-year?fy=2026');
  });
});

describe('formatChange', () => {
  it('Should sign a change', () => {
    expect([formatChange(3), formatChange(-2), formatChange(0)]).toEqual(['+3', '−2', '±0']);
  });
});
