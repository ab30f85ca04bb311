/**
 * Events of one insert batch, column by column, serialised straight into PostgreSQL array literals so
 * one `INSERT ... SELECT FROM unnest(...)` stores the whole batch on both engines (no per-row objects,
 * no per-value parameter handling by the driver).
 */
export class EventBatch {
  fingerprint: string[] = [];
  reportType: string[] = [];
  taxonomy: string[] = [];
  type: string[] = [];
  /** Epoch seconds. */
  time: number[] = [];
  ip: string[] = [];
  port: (number | null)[] = [];
  protocol: (string | null)[] = [];
  hostname: (string | null)[] = [];
  tag: (string | null)[] = [];
  asn: (number | null)[] = [];
  country: (string | null)[] = [];
  organisationId: (string | null)[] = [];
  recipient: (string | null)[] = [];
  tlp: string[] = [];
  line: number[] = [];
  /** JSON text or null. */
  extra: (string | null)[] = [];

  get size(): number {
    return this.fingerprint.length;
  }
}

// Characters that force quoting inside an array element, beyond the quote and backslash we escape.
const PLAIN = /^[^"\\{},\s]+$/;
const ESCAPE = /["\\]/g;

/**
 * A text[] literal: every element quoted when needed, `"` and `\` escaped; null as NULL.
 * @example textArray(['a', null, 'b"c']) // '{a,NULL,"b\\"c"}'
 */
export function textArray(values: readonly (string | null)[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) parts[i] = 'NULL';
    else if (v.length > 0 && v.length < 64 && PLAIN.test(v) && v.toUpperCase() !== 'NULL') parts[i] = v;
    else parts[i] = `"${v.replace(ESCAPE, '\\$&')}"`;
  }
  return `{${parts.join(',')}}`;
}

/**
 * A text[] literal of values the pipeline made itself and knows need no quoting (hex fingerprints,
 * canonical IP addresses, country codes, RSIT names, report types matching [a-z0-9_], UUIDs).
 */
export function plainArray(values: readonly (string | null)[]): string {
  return `{${values.map((v) => v ?? 'NULL').join(',')}}`;
}

/** A numeric array literal; null as NULL. @example numberArray([1, null]) // '{1,NULL}' */
export function numberArray(values: readonly (number | null)[]): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    parts[i] = v === null || v === undefined ? 'NULL' : String(v);
  }
  return `{${parts.join(',')}}`;
}
