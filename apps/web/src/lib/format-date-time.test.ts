import { describe, expect, it } from 'vitest';
import { formatDateTime, isValidTimeZone } from './format-date-time.ts';

describe('formatDateTime', () => {
  it('Should show Tokyo time with JST and the zone name', () => {
    expect(formatDateTime('2026-11-26T06:32:00Z', 'Asia/Tokyo')?.text).toBe('2026-11-26 15:32 JST (Asia/Tokyo)');
  });

  it('Should name UTC once', () => {
    expect(formatDateTime('2026-11-26T06:32:09Z', 'UTC', { seconds: true })?.text).toBe('2026-11-26 06:32:09 UTC');
  });

  it('Should follow daylight saving time', () => {
    expect(formatDateTime('2026-07-01T12:00:00Z', 'America/New_York')?.text).toBe('2026-07-01 08:00 EDT (America/New_York)');
    expect(formatDateTime('2026-01-01T12:00:00Z', 'Australia/Sydney')?.text).toBe('2026-01-01 23:00 AEDT (Australia/Sydney)');
  });

  it('Should show midnight as 00, not 24', () => {
    expect(formatDateTime('2026-11-26T15:00:00Z', 'Asia/Tokyo')?.local).toBe('2026-11-27 00:00');
  });

  it('Should fall back to UTC for an unknown zone and null for an invalid date', () => {
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(formatDateTime('2026-11-26T06:32:00Z', 'Mars/Olympus_Mons')?.text).toBe('2026-11-26 06:32 UTC');
    expect(formatDateTime('not a date', 'UTC')).toBeNull();
  });
});
