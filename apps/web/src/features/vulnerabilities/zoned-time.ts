/*
 * Embargo instants are exact to the minute and typed by people in their own time zone: these turn the
 * date and time someone picked in a zone into the UTC instant the API stores, and count whole days for
 * the case header. Pure functions over Intl, no library.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^(\d{2}):(\d{2})$/;
const DAY = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function wallClock(instant: number, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number } {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formats.set(timeZone, format);
  }
  const parts = new Map(format.formatToParts(instant).map((part) => [part.type, Number(part.value)]));
  return { year: parts.get('year')!, month: parts.get('month')!, day: parts.get('day')!, hour: parts.get('hour')!, minute: parts.get('minute')! };
}

/** How far the zone's clock is ahead of UTC at an instant, in milliseconds (whole minutes). */
function offsetAt(instant: number, timeZone: string): number {
  const c = wallClock(instant, timeZone);
  const floored = instant - (instant % 60_000);
  return Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute) - floored;
}

/**
 * The UTC instant of a wall-clock date and time (to the minute) in an IANA zone, or null for text that is
 * not a date and time, a zone the runtime does not know, or a time the zone's clock skips (the hour lost
 * when summer time begins).
 * @example zonedToUtc('2027-01-15', '10:00', 'Asia/Tokyo') // '2027-01-15T01:00:00.000Z'
 */
export function zonedToUtc(date: string, time: string, timeZone: string): string | null {
  const d = DATE.exec(date.trim());
  const t = TIME.exec(time.trim());
  if (!d || !t) return null;
  const [year, month, day, hour, minute] = [Number(d[1]), Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2])];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return null;
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  try {
    let instant = asUtc - offsetAt(asUtc, timeZone);
    const second = asUtc - offsetAt(instant, timeZone);
    if (second !== instant) instant = second;
    const back = wallClock(instant, timeZone);
    // A day that does not exist (31 February) or a skipped hour does not come back as typed.
    if (back.year !== year || back.month !== month || back.day !== day || back.hour !== hour || back.minute !== minute) return null;
    return new Date(instant).toISOString();
  } catch {
    return null;
  }
}

/**
 * Whole days from one instant to another, rounded down (negative when `to` is earlier).
 * @example daysBetween('2027-01-01T00:00:00Z', '2027-01-03T12:00:00Z') // 2
 */
export function daysBetween(from: string | Date, to: string | Date): number {
  const ms = new Date(to).getTime() - new Date(from).getTime();
  return Math.floor(ms / DAY);
}
