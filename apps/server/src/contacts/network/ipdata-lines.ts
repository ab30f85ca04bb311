import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../../kernel/ip.ts';

/** What one line of an IP data file says. Addresses are canonical text, as inet takes them. */
export type ParsedLine =
  | { kind: 'range'; family: 4 | 6; first: string; last: string; asn: number | null; country: string | null; asName: string | null }
  | { kind: 'asns'; first: number; count: number; country: string | null }
  | { kind: 'header'; source: string; dataDate: string | null }
  | { kind: 'skip' }
  | { kind: 'error'; reason: string };

const SKIP: ParsedLine = { kind: 'skip' };
const MAX_ASN = 4294967295;
const MAX_ASN_BLOCK = 65536;

function country(code: string | undefined): string | null | undefined {
  if (code === undefined || code === '' || code === 'ZZ' || code === 'None' || code === 'Unknown' || code === '-') return null;
  return /^[A-Z]{2}$/.test(code) ? code : /^[a-z]{2}$/.test(code) ? code.toUpperCase() : undefined;
}

/** 'YYYYMMDD' as 'YYYY-MM-DD', or null. */
function compactDate(text: string | undefined): string | null {
  const m = text ? /^(\d{4})(\d{2})(\d{2})$/.exec(text) : null;
  return m && m[2]! >= '01' && m[2]! <= '12' && m[3]! >= '01' && m[3]! <= '31' ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

/**
 * One line of an RIR "delegated" statistics file (`registry|cc|type|start|value|date|status[|id]`).
 * IPv4 lines give a start and an address count, which need not be a power of two; IPv6 lines a
 * prefix length; ASN lines a first ASN and a count. Untrusted input.
 * @example parseRirLine('apnic|JP|ipv4|192.0.2.0|256|20100101|allocated') // { kind: 'range', first: '192.0.2.0', last: '192.0.2.255', ... }
 */
export function parseRirLine(line: string): ParsedLine {
  if (line === '' || line.startsWith('#')) return SKIP;
  const f = line.split('|');
  if (f.length >= 6 && f[5] === 'summary') return SKIP;
  if (/^\d+(\.\d+)?$/.test(f[0]!)) {
    if (f.length < 6) return { kind: 'error', reason: 'version line with too few fields' };
    if (!/^[a-z0-9-]{1,32}$/i.test(f[1]!)) return { kind: 'error', reason: 'version line with an unreadable registry name' };
    return { kind: 'header', source: f[1]!.toLowerCase(), dataDate: compactDate(f[5]) ?? compactDate(f[2]) };
  }
  if (f.length < 7) return { kind: 'error', reason: `expected at least 7 fields separated by "|", found ${f.length}` };
  const [, cc, type, start, value, , status] = f;
  if (status === 'available' || status === 'reserved') return SKIP;
  if (status !== 'allocated' && status !== 'assigned') return { kind: 'error', reason: `unknown status "${status!.slice(0, 20)}"` };
  const code = country(cc);
  if (code === undefined) return { kind: 'error', reason: `country "${cc!.slice(0, 10)}" is not a two-letter code` };
  if (!/^\d{1,10}$/.test(value!)) return { kind: 'error', reason: `value "${value!.slice(0, 20)}" is not a whole number` };
  const count = Number(value);
  switch (type) {
    case 'ipv4': {
      const first = parseIPv4(start!);
      if (first === null) return { kind: 'error', reason: `start "${start!.slice(0, 45)}" is not an IPv4 address` };
      if (count < 1 || first + count - 1 > 0xffffffff) return { kind: 'error', reason: `address count ${count} runs past 255.255.255.255 or is zero` };
      return { kind: 'range', family: 4, first: formatIPv4(first), last: formatIPv4(first + count - 1), asn: null, country: code, asName: null };
    }
    case 'ipv6': {
      const first = parseIPv6(start!);
      if (first === null) return { kind: 'error', reason: `start "${start!.slice(0, 45)}" is not an IPv6 address` };
      if (count > 128) return { kind: 'error', reason: `prefix length ${count} is over 128` };
      const hostBits = BigInt(128 - count);
      if ((first >> hostBits) << hostBits !== first) return { kind: 'error', reason: `${start}/${count} has host bits set` };
      return { kind: 'range', family: 6, first: formatIPv6(first), last: formatIPv6(first + (1n << hostBits) - 1n), asn: null, country: code, asName: null };
    }
    case 'asn': {
      if (!/^\d{1,10}$/.test(start!)) return { kind: 'error', reason: `ASN "${start!.slice(0, 20)}" is not a whole number` };
      const first = Number(start);
      if (count < 1 || count > MAX_ASN_BLOCK || first + count - 1 > MAX_ASN)
        return { kind: 'error', reason: `ASN block ${first}+${count} is empty, too large or past ${MAX_ASN}` };
      return { kind: 'asns', first, count, country: code };
    }
    case undefined:
    default:
      return { kind: 'error', reason: `unknown type "${String(type).slice(0, 20)}"` };
  }
}

/**
 * One line of an ip2asn-style TSV: `range_start  range_end  AS_number  country_code  AS_description`.
 * Addresses may be text or (in the u32 variant) decimal integers. AS 0 means "not routed".
 * @example parseIp2asnLine('192.0.2.0\t192.0.2.255\t64500\tJP\tEXAMPLE-AS') // { kind: 'range', asn: 64500, ... }
 */
export function parseIp2asnLine(line: string): ParsedLine {
  if (line === '' || line.startsWith('#')) return SKIP;
  const f = line.split('\t');
  if (f.length < 4) return { kind: 'error', reason: `expected 5 tab-separated fields, found ${f.length}` };
  const [startText, endText, asnText, cc] = f;
  const description = f.slice(4).join(' ').trim();
  if (!/^\d{1,10}$/.test(asnText!) || Number(asnText) > MAX_ASN)
    return { kind: 'error', reason: `AS number "${asnText!.slice(0, 20)}" is not a whole number up to ${MAX_ASN}` };
  const asn = Number(asnText) === 0 ? null : Number(asnText);
  const code = country(cc);
  if (code === undefined) return { kind: 'error', reason: `country "${cc!.slice(0, 10)}" is not a two-letter code` };
  const asName = asn === null || description === '' || description === 'Not routed' ? null : description.slice(0, 500);
  if (/^\d{1,10}$/.test(startText!) && /^\d{1,10}$/.test(endText!)) {
    const first = Number(startText);
    const last = Number(endText);
    if (first > 0xffffffff || last > 0xffffffff || first > last) return { kind: 'error', reason: 'integer range is out of order or past 2^32' };
    return { kind: 'range', family: 4, first: formatIPv4(first), last: formatIPv4(last), asn, country: code, asName };
  }
  const v4first = parseIPv4(startText!);
  if (v4first !== null) {
    const last = parseIPv4(endText!);
    if (last === null) return { kind: 'error', reason: `range end "${endText!.slice(0, 45)}" is not an IPv4 address` };
    if (last < v4first) return { kind: 'error', reason: 'range end is before its start' };
    return { kind: 'range', family: 4, first: formatIPv4(v4first), last: formatIPv4(last), asn, country: code, asName };
  }
  const v6first = parseIPv6(startText!);
  if (v6first === null) return { kind: 'error', reason: `range start "${startText!.slice(0, 45)}" is not an IP address` };
  const v6last = parseIPv6(endText!);
  if (v6last === null) return { kind: 'error', reason: `range end "${endText!.slice(0, 45)}" is not an IPv6 address` };
  if (v6last < v6first) return { kind: 'error', reason: 'range end is before its start' };
  return { kind: 'range', family: 6, first: formatIPv6(v6first), last: formatIPv6(v6last), asn, country: code, asName };
}

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines without holding more than one chunk and one partial line, calling
 * `onLine` with each (1-based number, CR stripped) and awaiting `afterChunk` between chunks so the
 * caller can flush a batch. A line over `maxLineBytes` is reported as such and skipped, not buffered.
 */
export async function forEachLine(
  stream: AsyncIterable<Buffer>,
  onLine: (line: string, number: number) => void,
  options: { maxLineBytes: number; onTooLong: (number: number) => void; afterChunk?: (bytes: number) => Promise<void> | void },
): Promise<number> {
  let carry: Buffer | null = null;
  let skipping = false;
  let number = 0;
  const emit = (bytes: Buffer) => {
    number++;
    if (skipping) {
      skipping = false;
      options.onTooLong(number);
      return;
    }
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    onLine(bytes.toString('utf8', 0, end), number);
  };
  for await (const chunk of stream) {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) break;
      if (carry) {
        emit(Buffer.concat([carry, chunk.subarray(start, newline)]));
        carry = null;
      } else {
        emit(chunk.subarray(start, newline));
      }
      start = newline + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (skipping) {
        // still inside an over-long line: drop bytes until its newline
      } else if ((carry?.length ?? 0) + rest.length > options.maxLineBytes) {
        carry = null;
        skipping = true;
      } else {
        carry = carry ? Buffer.concat([carry, rest]) : Buffer.from(rest);
      }
    }
    await options.afterChunk?.(chunk.length);
  }
  if (carry || skipping) emit(carry ?? Buffer.alloc(0));
  return number;
}
