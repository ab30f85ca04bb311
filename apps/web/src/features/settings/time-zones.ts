import { browserTimeZone, isValidTimeZone } from '../../lib/format-date-time.ts';

/** Zones offered first; any other known IANA zone can be found by searching. */
export const COMMON_TIME_ZONES = [
  'Asia/Tokyo',
  'UTC',
  'Asia/Seoul',
  'Asia/Shanghai',
  'Asia/Taipei',
  'Asia/Hong_Kong',
  'Asia/Singapore',
  'Asia/Kolkata',
  'Australia/Sydney',
  'Pacific/Auckland',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Sao_Paulo',
] as const;

export interface TimeZoneOption {
  value: string;
  /** True for the browser's own zone, labelled as such. */
  browser: boolean;
}

/**
 * The zones to choose from: the common ones, the browser's and the user's current one first, then
 * every other zone the runtime knows.
 * @example timeZoneOptions('Asia/Tokyo').map((option) => option.value)
 */
export function timeZoneOptions(current: string): TimeZoneOption[] {
  const browser = browserTimeZone();
  const first = [...new Set([current, browser, ...COMMON_TIME_ZONES])].filter(isValidTimeZone);
  const rest = Intl.supportedValuesOf('timeZone').filter((zone) => !first.includes(zone));
  return [...first, ...rest].map((value) => ({ value, browser: value === browser }));
}
