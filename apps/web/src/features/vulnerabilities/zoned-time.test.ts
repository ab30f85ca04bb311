import { describe, expect, it } from 'vitest';
import { daysBetween, zonedToUtc } from './zoned-time.ts';

describe('zonedToUtc', () => {
  it('Should turn a wall-clock minute in a zone into the UTC instant', () => {
    expect(zonedToUtc('2027-01-15', '10:00', 'Asia/Tokyo')).toBe('2027-01-15T01:00:00.000Z');
    expect(zonedToUtc('2027-01-15', '00:30', 'Asia/Tokyo')).toBe('2027-01-14T15:30:00.000Z');
    expect(zonedToUtc('2027-07-01', '09:00', 'America/New_York')).toBe('2027-07-01T13:00:00.000Z');
    expect(zonedToUtc('2027-01-01', '09:00', 'America/New_York')).toBe('2027-01-01T14:00:00.000Z');
    expect(zonedToUtc('2027-03-01', '12:45', 'Asia/Kolkata')).toBe('2027-03-01T07:15:00.000Z');
    expect(zonedToUtc('2027-03-01', '12:45', 'UTC')).toBe('2027-03-01T12:45:00.000Z');
  });

  it('Should refuse a time the clock skips when summer time begins, and take the first of a repeated hour', () => {
    expect(zonedToUtc('2027-03-14', '02:30', 'America/New_York')).toBeNull();
    expect(zonedToUtc('2027-11-07', '01:30', 'America/New_York')).toMatch(/^2027-11-07T0[56]:30:00\.000Z$/);
  });

  it('Should refuse hostile or malformed input without throwing', () => {
    for (const [date, time, zone] of [
      ['2027-02-31', '10:00', 'Asia/Tokyo'],
      ['2027-13-01', '10:00', 'Asia/Tokyo'],
      ['2027-01-01', '24:00', 'Asia/Tokyo'],
      ['2027-01-01', '10:00:30', 'Asia/Tokyo'],
      ['<script>', '10:00', 'Asia/Tokyo'],
      ['2027-01-01', '10:00', 'Not/AZone'],
      ['2027-01-01', '10:00', '../../etc/passwd'],
      ['', '', ''],
      ['9'.repeat(10_000), '10:00', 'UTC'],
    ] as const) {
      expect(zonedToUtc(date, time, zone), `${date.slice(0, 20)} ${time} ${zone}`).toBeNull();
    }
  });
});

describe('daysBetween', () => {
  it('Should count whole days, rounding down, negative when the end is earlier', () => {
    expect(daysBetween('2027-01-01T00:00:00Z', '2027-01-03T12:00:00Z')).toBe(2);
    expect(daysBetween('2027-01-03T00:00:00Z', '2027-01-01T00:00:00Z')).toBe(-2);
    expect(daysBetween('2027-01-01T00:00:00Z', '2027-01-01T23:59:00Z')).toBe(0);
  });
});
