import { domainToASCII } from 'node:url';
import type { NetworkKind } from '@renkei/contract';

export type ParsedNetwork = { ok: true; kind: NetworkKind; value: string } | { ok: false; error: string };

const MAX_ASN = 4_294_967_295;

/**
 * Reads an AS number, IPv4/IPv6 prefix (or single address) or domain into the canonical text stored in
 * organisation_networks. The kind is inferred unless given. `input` is untrusted input.
 * @example parseNetworkValue('AS64500') // { ok: true, kind: 'asn', value: '64500' }
 * @example parseNetworkValue('2001:DB8:0:0::/32') // { ok: true, kind: 'ipv6', value: '2001:db8::/32' }
 */
export function parseNetworkValue(input: string, kind?: NetworkKind): ParsedNetwork {
  const text = input.trim();
  if (text.length === 0) return { ok: false, error: 'empty value' };
  if (text.length > 300) return { ok: false, error: 'value longer than 300 characters' };
  const inferred = kind ?? inferKind(text);
  switch (inferred) {
    case 'asn':
      return parseAsn(text);
    case 'ipv4':
      return parseIpv4Prefix(text);
    case 'ipv6':
      return parseIpv6Prefix(text);
    case 'domain':
      return parseDomain(text);
  }
}

function inferKind(text: string): NetworkKind {
  if (/^as\s*[0-9]/i.test(text) || /^[0-9]+$/.test(text)) return 'asn';
  if (text.includes(':')) return 'ipv6';
  if (/^[0-9.]+(\/[0-9]+)?$/.test(text)) return 'ipv4';
  return 'domain';
}

/** `AS64500`, `as 64500`, `64500`, or asdot `AS1.10`. */
export function parseAsn(text: string): ParsedNetwork {
  const match = /^(?:as\s*)?(?:([0-9]{1,5})\.([0-9]{1,5})|([0-9]{1,10}))$/i.exec(text.trim());
  if (!match) return { ok: false, error: `"${clip(text)}" is not an AS number` };
  let value: number;
  if (match[3] !== undefined) {
    if (match[3].length > 1 && match[3].startsWith('0')) return { ok: false, error: `"${clip(text)}": an AS number has no leading zeros` };
    value = Number(match[3]);
  } else {
    const high = Number(match[1]);
    const low = Number(match[2]);
    if (high > 65535 || low > 65535) return { ok: false, error: `"${clip(text)}" is not a valid asdot AS number` };
    value = high * 65536 + low;
  }
  if (value > MAX_ASN) return { ok: false, error: `"${clip(text)}" is beyond the largest AS number (${MAX_ASN})` };
  return { ok: true, kind: 'asn', value: String(value) };
}

function splitPrefix(text: string, maxLength: number): { address: string; length: number | null } | string {
  const parts = text.split('/');
  if (parts.length > 2) return 'more than one "/"';
  const [address = '', lengthText] = parts;
  if (lengthText === undefined) return { address, length: null };
  if (!/^[0-9]{1,3}$/.test(lengthText) || Number(lengthText) > maxLength) return `prefix length must be 0 to ${maxLength}`;
  return { address, length: Number(lengthText) };
}

/** Bytes of an IPv4 address in strict dotted-quad form (no leading zeros, which some read as octal). */
export function ipv4Bytes(address: string): number[] | null {
  const parts = address.split('.');
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes.push(value);
  }
  return bytes;
}

/** Bytes of an IPv6 address (with an optional embedded IPv4 tail); null when malformed. */
export function ipv6Bytes(address: string): number[] | null {
  if (address.length > 45 || !/^[0-9a-fA-F:.]+$/.test(address)) return null;
  let tail: number[] = [];
  let text = address;
  if (text.includes('.')) {
    const lastColon = text.lastIndexOf(':');
    const v4 = lastColon >= 0 ? ipv4Bytes(text.slice(lastColon + 1)) : null;
    if (!v4) return null;
    tail = v4;
    text = text.slice(0, lastColon);
    if (text.endsWith(':')) text += ':';
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const words = (half: string): number[] | null => {
    if (half === '') return [];
    const out: number[] = [];
    for (const group of half.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
      out.push(parseInt(group, 16));
    }
    return out;
  };
  const head = words(halves[0] ?? '');
  const rest = halves.length === 2 ? words(halves[1] ?? '') : [];
  if (!head || !rest) return null;
  const wanted = 8 - tail.length / 2;
  let all: number[];
  if (halves.length === 2) {
    const missing = wanted - head.length - rest.length;
    if (missing < 1) return null;
    all = [...head, ...new Array<number>(missing).fill(0), ...rest];
  } else {
    if (head.length !== wanted) return null;
    all = head;
  }
  const bytes = all.flatMap((word) => [word >> 8, word & 0xff]);
  return [...bytes, ...tail];
}

function hostBitsSet(bytes: readonly number[], length: number): boolean {
  for (let bit = length; bit < bytes.length * 8; bit++) if ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1) return true;
  return false;
}

function parseIpv4Prefix(text: string): ParsedNetwork {
  const split = splitPrefix(text, 32);
  if (typeof split === 'string') return { ok: false, error: `"${clip(text)}": ${split}` };
  const bytes = ipv4Bytes(split.address);
  if (!bytes) return { ok: false, error: `"${clip(text)}" is not an IPv4 address or prefix` };
  const length = split.length ?? 32;
  if (hostBitsSet(bytes, length)) return { ok: false, error: `"${clip(text)}" has bits set after the /${length}: did you mean ${maskedIpv4(bytes, length)}/${length}?` };
  return { ok: true, kind: 'ipv4', value: `${bytes.join('.')}/${length}` };
}

function maskedIpv4(bytes: readonly number[], length: number): string {
  return bytes.map((byte, index) => byte & (0xff << (8 - Math.max(0, Math.min(8, length - index * 8)))) & 0xff).join('.');
}

function parseIpv6Prefix(text: string): ParsedNetwork {
  const split = splitPrefix(text, 128);
  if (typeof split === 'string') return { ok: false, error: `"${clip(text)}": ${split}` };
  const bytes = ipv6Bytes(split.address);
  if (!bytes) return { ok: false, error: `"${clip(text)}" is not an IPv6 address or prefix` };
  const length = split.length ?? 128;
  if (hostBitsSet(bytes, length)) return { ok: false, error: `"${clip(text)}" has bits set after the /${length}` };
  return { ok: true, kind: 'ipv6', value: `${formatIpv6(bytes)}/${length}` };
}

/** RFC 5952 text, as PostgreSQL prints it: lower case, the longest run of two or more zero groups as "::". */
export function formatIpv6(bytes: readonly number[]): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  // IPv4-mapped and IPv4-compatible addresses keep their dotted tail, as PostgreSQL prints them.
  const v4Tail = `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) return `::ffff:${v4Tail}`;
  if (words.slice(0, 6).every((w) => w === 0) && (words[6]! !== 0 || words[7]! > 1)) return `::${v4Tail}`;
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function parseDomain(text: string): ParsedNetwork {
  // Refang the usual defanged forms: example[.]jp, example(.)jp.
  let name = text.replace(/\[\.\]|\(\.\)|\{\.\}/g, '.').replace(/\.$/, '');
  if (/[\s/@:]/.test(name)) return { ok: false, error: `"${clip(text)}" is not a domain name` };
  name = domainToASCII(name.toLowerCase());
  if (!name) return { ok: false, error: `"${clip(text)}" is not a valid domain name` };
  const labels = name.split('.');
  if (name.length > 253 || labels.length < 2) return { ok: false, error: `"${clip(text)}" is not a domain name with at least two labels` };
  for (const label of labels) {
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) return { ok: false, error: `"${clip(text)}" has an invalid label "${clip(label)}"` };
  }
  return { ok: true, kind: 'domain', value: name };
}

/** An IP address (no prefix) as canonical text, or null: for directory search. */
export function parseIpAddress(text: string): { kind: 'ipv4' | 'ipv6'; address: string } | null {
  const trimmed = text.trim();
  const v4 = ipv4Bytes(trimmed);
  if (v4) return { kind: 'ipv4', address: v4.join('.') };
  const v6 = trimmed.includes(':') ? ipv6Bytes(trimmed) : null;
  return v6 ? { kind: 'ipv6', address: formatIpv6(v6) } : null;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
