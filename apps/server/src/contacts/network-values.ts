import { domainToASCII } from 'node:url';
import type { NetworkKind } from '@renkei/contract';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from '../kernel/ip.ts';

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

function parseIpv4Prefix(text: string): ParsedNetwork {
  const split = splitPrefix(text, 32);
  if (typeof split === 'string') return { ok: false, error: `"${clip(text)}": ${split}` };
  const address = parseIPv4(split.address);
  if (address === null) return { ok: false, error: `"${clip(text)}" is not an IPv4 address or prefix` };
  const length = split.length ?? 32;
  const size = 2 ** (32 - length);
  if (address % size !== 0)
    return { ok: false, error: `"${clip(text)}" has bits set after the /${length}: did you mean ${formatIPv4(Math.floor(address / size) * size)}/${length}?` };
  return { ok: true, kind: 'ipv4', value: `${formatIPv4(address)}/${length}` };
}

function parseIpv6Prefix(text: string): ParsedNetwork {
  const split = splitPrefix(text, 128);
  if (typeof split === 'string') return { ok: false, error: `"${clip(text)}": ${split}` };
  const address = parseIPv6(split.address);
  if (address === null) return { ok: false, error: `"${clip(text)}" is not an IPv6 address or prefix` };
  const length = split.length ?? 128;
  if ((address & ((1n << BigInt(128 - length)) - 1n)) !== 0n) return { ok: false, error: `"${clip(text)}" has bits set after the /${length}` };
  return { ok: true, kind: 'ipv6', value: `${formatPgIpv6(address)}/${length}` };
}

/**
 * IPv6 text as PostgreSQL prints it: RFC 5952 (ip.ts), except that IPv4-mapped (`::ffff:a.b.c.d`) and
 * IPv4-compatible (`::a.b.c.d`, not `::` or `::1`) addresses keep their dotted tail.
 */
function formatPgIpv6(address: bigint): string {
  const high = address >> 32n;
  const low = Number(address & 0xffffffffn);
  if (high === 0xffffn) return `::ffff:${formatIPv4(low)}`;
  if (high === 0n && low > 1) return `::${formatIPv4(low)}`;
  return formatIPv6(address);
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
  const v4 = parseIPv4(trimmed);
  if (v4 !== null) return { kind: 'ipv4', address: formatIPv4(v4) };
  const v6 = trimmed.includes(':') ? parseIPv6(trimmed) : null;
  return v6 === null ? null : { kind: 'ipv6', address: formatPgIpv6(v6) };
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
