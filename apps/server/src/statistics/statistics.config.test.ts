import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';

describe('statistics settings', () => {
  it('Should count in Asia/Tokyo with an April fiscal year unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({ teamTimeZone: 'Asia/Tokyo', fiscalYearStartMonth: 4 });
    expect(loadConfig({ RENKEI_TEAM_TIME_ZONE: 'Europe/Berlin', RENKEI_FISCAL_YEAR_START_MONTH: '1' })).toMatchObject({
      teamTimeZone: 'Europe/Berlin',
      fiscalYearStartMonth: 1,
    });
  });

  it('Should refuse a time zone that is not IANA and a month outside 1–12 at start-up', () => {
    expect(() => loadConfig({ RENKEI_TEAM_TIME_ZONE: 'Mars/Olympus' })).toThrow(/RENKEI_TEAM_TIME_ZONE/);
    for (const month of ['0', '13', 'April', '4.5'])
      expect(() => loadConfig({ RENKEI_FISCAL_YEAR_START_MONTH: month })).toThrow(/RENKEI_FISCAL_YEAR_START_MONTH/);
  });
});
