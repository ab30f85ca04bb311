import { formatIPv6, parseIPv4, parseIPv6 } from '../kernel/ip.ts';

/** The event fields a feed column can fill; any other column goes to `extra`. */
export const EVENT_FIELDS = ['time', 'ip', 'port', 'protocol', 'hostname', 'tag', 'asn', 'country', 'report_type', 'ignore'] as const;
export type EventField = (typeof EVENT_FIELDS)[number];

/** Shadowserver's column names (old and new reports) for the fields the pipeline reads. */
export const SHADOWSERVER_COLUMNS: Readonly<Record<string, EventField>> = {
  timestamp: 'time',
  ip: 'ip',
  src_ip: 'ip',
  port: 'port',
  src_port: 'port',
  protocol: 'protocol',
  hostname: 'hostname',
  src_hostname: 'hostname',
  tag: 'tag',
  asn: 'asn',
  src_asn: 'asn',
  geo: 'country',
  src_geo: 'country',
  report_type: 'report_type',
  type: 'report_type',
};

/** Where each field sits in a row, worked out once from the header. -1 = absent. */
export interface RowPlan {
  header: string[];
  time: number;
  ip: number;
  port: number;
  protocol: number;
  hostname: number;
  tag: number;
  asn: number;
  country: number;
  reportType: number;
  /** Columns kept in `extra`, by position. */
  extra: number[];
}

/** A header the pipeline cannot work with: the run fails with this message. */
export class FeedHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedHeaderError';
  }
}

/**
 * Plans how to read rows from a header and a column → field map (header names compared lower-cased, trimmed).
 * @example planRows(['timestamp', 'ip', 'port'], SHADOWSERVER_COLUMNS)
 */
export function planRows(header: string[], columns: Readonly<Record<string, EventField>>): RowPlan {
  const names = header.map((h) => h.trim().toLowerCase());
  const plan: RowPlan = { header: names, time: -1, ip: -1, port: -1, protocol: -1, hostname: -1, tag: -1, asn: -1, country: -1, reportType: -1, extra: [] };
  const slot: Record<Exclude<EventField, 'ignore'>, keyof RowPlan> = {
    time: 'time',
    ip: 'ip',
    port: 'port',
    protocol: 'protocol',
    hostname: 'hostname',
    tag: 'tag',
    asn: 'asn',
    country: 'country',
    report_type: 'reportType',
  };
  names.forEach((name, i) => {
    const field = Object.hasOwn(columns, name) ? columns[name] : undefined;
    if (field === 'ignore') return;
    if (field) {
      const key = slot[field] as Exclude<keyof RowPlan, 'header' | 'extra'>;
      if (plan[key] === -1) plan[key] = i;
      return;
    }
    if (name !== '') plan.extra.push(i);
  });
  if (plan.ip === -1)
    throw new FeedHeaderError(
      `The header names no IP address column (looked for: ${
        Object.keys(columns)
          .filter((k) => columns[k] === 'ip')
          .join(', ') || 'none mapped'
      })`,
    );
  if (plan.time === -1)
    throw new FeedHeaderError(
      `The header names no timestamp column (looked for: ${
        Object.keys(columns)
          .filter((k) => columns[k] === 'time')
          .join(', ') || 'none mapped'
      })`,
    );
  return plan;
}

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;
function digits(s: string, from: number, count: number): number {
  let v = 0;
  for (let i = from; i < from + count; i++) {
    const d = digit(s, i);
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Milliseconds since the epoch from a feed timestamp: `2026-11-26 01:02:03` (Shadowserver, UTC),
 * ISO 8601 with `T`, fractions and `Z` or an offset, or epoch seconds. NaN when unreadable.
 * @example parseFeedTime('2026-11-26 01:02:03') === Date.UTC(2026, 10, 26, 1, 2, 3)
 */
export function parseFeedTime(text: string): number {
  const s = text.length > 40 ? '' : text.trim();
  if (
    s.length >= 19 &&
    s.charCodeAt(4) === 45 &&
    s.charCodeAt(7) === 45 &&
    (s.charCodeAt(10) === 32 || s.charCodeAt(10) === 84) &&
    s.charCodeAt(13) === 58 &&
    s.charCodeAt(16) === 58
  ) {
    const y = digits(s, 0, 4);
    const mo = digits(s, 5, 2);
    const d = digits(s, 8, 2);
    const h = digits(s, 11, 2);
    const mi = digits(s, 14, 2);
    const se = digits(s, 17, 2);
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60) return Number.NaN;
    let ms = Date.UTC(y, mo - 1, d, h, mi, se);
    let i = 19;
    if (s.charCodeAt(i) === 46) {
      let scale = 100;
      i++;
      while (i < s.length && digit(s, i) >= 0 && digit(s, i) <= 9) {
        ms += digit(s, i) * scale;
        scale /= 10;
        i++;
      }
      ms = Math.floor(ms);
    }
    if (i === s.length || (s.length - i === 1 && (s[i] === 'Z' || s[i] === 'z'))) return ms;
    if (s.length - i === 4 && s.slice(i) === ' UTC') return ms;
    const offset = /^([+-])(\d{2}):?(\d{2})$/.exec(s.slice(i));
    if (!offset) return Number.NaN;
    const minutes = Number(offset[2]) * 60 + Number(offset[3]);
    return ms - (offset[1] === '+' ? 1 : -1) * minutes * 60_000;
  }
  if (/^\d{9,10}(\.\d+)?$/.test(s)) return Math.floor(Number(s) * 1000);
  return Number.NaN;
}

/**
 * The canonical text of an IP address (strict dotted quads; IPv6 as RFC 5952), with the IPv4 value,
 * or null. `v4` is -1 for IPv6. Returns a shared object: read it before the next call.
 */
const parsedIp = { text: '', v4: -1, v6: 0n };
export function parseFeedIp(text: string): { text: string; v4: number; v6: bigint } | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) {
    parsedIp.text = text;
    parsedIp.v4 = v4;
    return parsedIp;
  }
  if (text.length > 45 || text.indexOf(':') === -1) return null;
  const v6 = parseIPv6(text);
  if (v6 === null) return null;
  parsedIp.text = formatIPv6(v6);
  parsedIp.v4 = -1;
  parsedIp.v6 = v6;
  return parsedIp;
}
