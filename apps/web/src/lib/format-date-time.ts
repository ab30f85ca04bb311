/**
 * Times are stored in UTC and shown in the viewer's time zone with the zone named (DESIGN §4), as
 * `2026-11-26 15:32 JST (Asia/Tokyo)`: an unambiguous numeric form that reads the same in ja and en.
 */

const numericFormats = new Map<string, Intl.DateTimeFormat>();
const abbreviationFormats = new Map<string, Intl.DateTimeFormat>();

// The CLDR short names differ by locale (ja-JP knows JST, en-US knows EST, en-AU knows AEDT); ask a few
// and keep the first real abbreviation, else the offset form ("GMT+9") every locale gives.
const ABBREVIATION_LOCALES = ['en-US', 'en-GB', 'ja-JP', 'en-AU', 'en-SG', 'en-IN', 'en-NZ'];
const OFFSET_FORM = /^(GMT|UTC)[+-−]/;

/** Whether the runtime knows this IANA zone. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The browser's own IANA zone, or UTC when it cannot tell. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export interface FormattedDateTime {
  /** e.g. `2026-11-26 15:32` */
  local: string;
  /** e.g. `JST`, `AEDT`, `GMT+9` */
  abbreviation: string;
  /** The IANA zone actually used (UTC when the one asked for is unknown). */
  timeZone: string;
  /** e.g. `2026-11-26 15:32 JST (Asia/Tokyo)` */
  text: string;
}

/**
 * Formats an instant in a time zone, naming the zone.
 * @example formatDateTime('2026-11-26T06:32:00Z', 'Asia/Tokyo').text // '2026-11-26 15:32 JST (Asia/Tokyo)'
 */
export function formatDateTime(value: Date | string | number, timeZone: string, options: { seconds?: boolean } = {}): FormattedDateTime | null {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  const zone = isValidTimeZone(timeZone) ? timeZone : 'UTC';

  const parts = new Map(
    numericFormat(zone)
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  const time = `${parts.get('hour')}:${parts.get('minute')}${options.seconds ? `:${parts.get('second')}` : ''}`;
  const local = `${parts.get('year')}-${parts.get('month')}-${parts.get('day')} ${time}`;
  const abbreviation = zoneAbbreviation(date, zone);
  const text = abbreviation === zone ? `${local} ${zone}` : `${local} ${abbreviation} (${zone})`;
  return { local, abbreviation, timeZone: zone, text };
}

function numericFormat(timeZone: string): Intl.DateTimeFormat {
  let format = numericFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    numericFormats.set(timeZone, format);
  }
  return format;
}

function zoneAbbreviation(date: Date, timeZone: string): string {
  let fallback: string | undefined;
  for (const locale of ABBREVIATION_LOCALES) {
    const key = `${locale}|${timeZone}`;
    let format = abbreviationFormats.get(key);
    if (!format) {
      format = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' });
      abbreviationFormats.set(key, format);
    }
    const name = format.formatToParts(date).find((part) => part.type === 'timeZoneName')?.value;
    if (!name) continue;
    if (!OFFSET_FORM.test(name)) return name;
    fallback ??= name;
  }
  return fallback ?? timeZone;
}
