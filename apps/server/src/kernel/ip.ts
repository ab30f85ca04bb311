import { isIPv6 } from 'node:net';

/**
 * IP addresses as numbers: IPv4 as an unsigned 32-bit integer, IPv6 as a 128-bit BigInt.
 * Strict dotted quads only (no octal, hex or short forms): an analyst's "010.1.1.1" is refused rather than guessed.
 */

/**
 * Parses a dotted-quad IPv4 address to an unsigned 32-bit integer, or null when it is not one.
 * @example parseIPv4('192.0.2.1') // 3221225985
 */
export function parseIPv4(text: string): number | null {
  const length = text.length;
  if (length < 7 || length > 15) return null;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return null; // a leading zero: ambiguous (octal to some tools)
      octet = octet * 10 + (c - 48);
      if (octet > 255) return null;
      digits++;
    } else if (c === 46) {
      if (digits === 0) return null;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
      if (dots > 3) return null;
    } else {
      return null;
    }
  }
  if (dots !== 3 || digits === 0) return null;
  return value * 256 + octet;
}

/** @example formatIPv4(3221225985) // '192.0.2.1' */
export function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/**
 * Parses an IPv6 address (with an embedded IPv4 tail allowed, no zone) to a BigInt, or null.
 * @example parseIPv6('2001:db8::1') === 0x20010db8000000000000000000000001n
 */
export function parseIPv6(text: string): bigint | null {
  if (text.length > 45 || text.includes('%') || !isIPv6(text)) return null;
  let head = text;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) !== -1) {
    // An embedded IPv4 tail (::ffff:192.0.2.1) becomes its two 16-bit words.
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (v4 === null) return null;
    head = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const words = (part: string | undefined) =>
    part
      ? part
          .split(':')
          .filter((w) => w !== '')
          .map((w) => Number.parseInt(w, 16))
      : [];
  const left = words(halves[0]);
  const right = words(halves[1]);
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...left, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...right];
  let value = 0n;
  for (const word of all) {
    if (!Number.isInteger(word) || word < 0 || word > 0xffff) return null;
    value = (value << 16n) | BigInt(word);
  }
  return value;
}

/** RFC 5952 text: lower case, longest run of zero words compressed. @example formatIPv6(1n) // '::1' */
export function formatIPv6(value: bigint): string {
  const words: number[] = [];
  for (let i = 7; i >= 0; i--) words.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export type Family = 4 | 6;

/** A parsed address of either family. */
export type IpAddress = { family: 4; value: number } | { family: 6; value: bigint };

export function parseIp(text: string): IpAddress | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseIPv6(text);
  return v6 === null ? null : { family: 6, value: v6 };
}

export function formatIp(address: IpAddress): string {
  return address.family === 4 ? formatIPv4(address.value) : formatIPv6(address.value);
}

/**
 * Parses canonical or host-bit-carrying CIDR text; returns the first and last address it covers.
 * @example parseCidr('192.0.2.0/24') // { family: 4, first: 3221225984, last: 3221226239, length: 24 }
 */
export function parseCidr(
  text: string,
): (({ family: 4; first: number; last: number } | { family: 6; first: bigint; last: bigint }) & { length: number }) | null {
  const slash = text.indexOf('/');
  const address = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (!address) return null;
  const bits = address.family === 4 ? 32 : 128;
  const lengthText = slash === -1 ? String(bits) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lengthText)) return null;
  const length = Number(lengthText);
  if (length > bits) return null;
  if (address.family === 4) {
    const size = 2 ** (32 - length);
    const first = Math.floor(address.value / size) * size;
    return { family: 4, first, last: first + size - 1, length };
  }
  const hostBits = BigInt(128 - length);
  const first = (address.value >> hostBits) << hostBits;
  return { family: 6, first, last: first + (1n << hostBits) - 1n, length };
}

/**
 * The largest CIDR block that contains `ip` and lies within [first, last]: the prefix to show for an
 * address in a range that need not be a CIDR block itself (RIR counts, ip2asn ranges).
 * @example prefixWithinV4(3221225985, 3221225984, 3221226239) // '192.0.2.0/24'
 */
export function prefixWithinV4(ip: number, first: number, last: number): string {
  for (let length = 0; length <= 32; length++) {
    const size = 2 ** (32 - length);
    const start = Math.floor(ip / size) * size;
    if (start >= first && start + size - 1 <= last) return `${formatIPv4(start)}/${length}`;
  }
  return `${formatIPv4(ip)}/32`;
}

export function prefixWithinV6(ip: bigint, first: bigint, last: bigint): string {
  for (let length = 0; length <= 128; length++) {
    const hostBits = BigInt(128 - length);
    const start = (ip >> hostBits) << hostBits;
    if (start >= first && start + (1n << hostBits) - 1n <= last) return `${formatIPv6(start)}/${length}`;
  }
  return `${formatIPv6(ip)}/128`;
}

/** Addresses that no registry hands out, named so an answer can say why it has no owner. */
const SPECIAL_V4: readonly [string, string][] = [
  ['0.0.0.0/8', 'this network (RFC 791)'],
  ['10.0.0.0/8', 'private (RFC 1918)'],
  ['100.64.0.0/10', 'carrier-grade NAT (RFC 6598)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private (RFC 1918)'],
  ['192.0.2.0/24', 'documentation (RFC 5737)'],
  ['192.168.0.0/16', 'private (RFC 1918)'],
  ['198.18.0.0/15', 'benchmarking (RFC 2544)'],
  ['198.51.100.0/24', 'documentation (RFC 5737)'],
  ['203.0.113.0/24', 'documentation (RFC 5737)'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
];
const SPECIAL_V6: readonly [string, string][] = [
  ['::1/128', 'loopback'],
  ['::/128', 'unspecified'],
  ['::ffff:0:0/96', 'IPv4-mapped'],
  ['2001:db8::/32', 'documentation (RFC 3849)'],
  ['fc00::/7', 'unique local (RFC 4193)'],
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
];
const special = [...SPECIAL_V4, ...SPECIAL_V6].map(([cidr, note]) => ({ range: parseCidr(cidr)!, note }));

/** Why an address has no public owner (private, documentation, loopback...), or null for a public one. */
export function specialUse(address: IpAddress): string | null {
  for (const { range, note } of special) {
    if (range.family === 4 && address.family === 4 && address.value >= range.first && address.value <= range.last) return note;
    if (range.family === 6 && address.family === 6 && address.value >= range.first && address.value <= range.last) return note;
  }
  return null;
}
