import dns from 'node:dns';
import { AppError } from './errors.ts';
import { type IpAddress, formatIp, parseCidr, parseIp } from './ip.ts';

/**
 * Where a server-side fetch may go. Every URL Renkei fetches for someone (feed sources, RDAP,
 * security.txt) is checked here after DNS resolution and again on every redirect: loopback, private,
 * link-local (cloud metadata), CGNAT, multicast and other special addresses are refused unless the
 * operator allowed them (RENKEI_FETCH_ALLOW). See docs/decisions/0134-server-side-fetches-refuse-internal-addresses.md.
 */

/** One resolved address of a host name. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (a test passes its own; the default asks the system resolver). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

type Range = { family: 4; first: number; last: number } | { family: 6; first: bigint; last: bigint };

/** The operator's exceptions: address ranges and host names that may be fetched although internal. */
export interface FetchAllowList {
  ranges: readonly Range[];
  /** Lower-case names; `*.example.org` allows every name below example.org. */
  hosts: readonly string[];
  /** The entries as given, for messages. */
  text: readonly string[];
}

export interface FetchGuard {
  allow: FetchAllowList;
  /** Defaults to the system resolver (`dns.lookup`, every address). */
  resolve?: Resolver;
}

/** Why a destination was refused, e.g. `loopback`, `private`, `link-local`. */
export type AddressClass =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'carrier-grade NAT'
  | 'link-local'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'documentation'
  | 'benchmarking'
  | 'IETF protocol'
  | 'discard-only';

/** A fetch refused before any connection: the destination is internal, or the scheme is not http(s). */
export class FetchRefusedError extends AppError {
  constructor(
    message: string,
    /** The refused address (as connected to) or null for a refused scheme. */
    readonly address: string | null,
    readonly addressClass: AddressClass | 'scheme',
  ) {
    super(422, 'fetch_refused', message);
  }
}

export const NO_FETCH_ALLOW: FetchAllowList = { ranges: [], hosts: [], text: [] };

/**
 * Reads an allow-list: comma-separated CIDR blocks, addresses and host names (`*.corp.example` for a
 * whole subtree). Throws on an entry that is none of these.
 * @example parseFetchAllow('127.0.0.1, 10.20.0.0/16, feeds.corp.example')
 */
export function parseFetchAllow(text: string): FetchAllowList {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const ranges: Range[] = [];
  const hosts: string[] = [];
  for (const entry of entries) {
    const range = parseCidr(entry.replace(/^\[(.*)\]$/, '$1'));
    if (range) ranges.push(range);
    else if (/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(entry)) hosts.push(entry.toLowerCase());
    else throw new Error(`not an address, CIDR block or host name: "${entry.slice(0, 100)}"`);
  }
  return { ranges, hosts, text: entries };
}

const V4_CLASSES: readonly [string, AddressClass][] = [
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol'],
  ['192.0.2.0/24', 'documentation'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
];
const V6_CLASSES: readonly [string, AddressClass][] = [
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['100::/64', 'discard-only'],
  ['2001:db8::/32', 'documentation'],
  ['fc00::/7', 'private'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private'],
  ['ff00::/8', 'multicast'],
];
const classes = [...V4_CLASSES, ...V6_CLASSES].map(([cidr, name]) => ({ range: parseCidr(cidr)!, name }));

/** IPv6 forms that carry an IPv4 address (mapped, NAT64, IPv4-compatible, 6to4): the inner address is what is reached. */
function embeddedV4(value: bigint): number | null {
  const top96 = value >> 32n;
  const low32 = Number(value & 0xffffffffn);
  if (top96 === 0xffffn) return low32; // ::ffff:a.b.c.d
  if (top96 === 0x0064ff9b0000000000000000n) return low32; // 64:ff9b::a.b.c.d
  if (top96 === 0n && low32 > 1) return low32; // ::a.b.c.d (deprecated IPv4-compatible)
  if (value >> 112n === 0x2002n) return Number((value >> 80n) & 0xffffffffn); // 2002:aabb:ccdd::/48
  return null;
}

/**
 * The class of an address a server-side fetch must not reach, or null for a public one. IPv6 forms
 * that embed an IPv4 address are judged by that address.
 * @example refusedClass(parseIp('169.254.169.254')!) // 'link-local'
 */
export function refusedClass(address: IpAddress): AddressClass | null {
  if (address.family === 6) {
    const inner = embeddedV4(address.value);
    if (inner !== null) return refusedClass({ family: 4, value: inner });
  }
  for (const { range, name } of classes) {
    if (range.family === 4 && address.family === 4 && address.value >= range.first && address.value <= range.last) return name;
    if (range.family === 6 && address.family === 6 && address.value >= range.first && address.value <= range.last) return name;
  }
  return null;
}

/** RFC 5952 text, with an IPv4-mapped address in its mixed form (::ffff:10.0.0.5) as RFC 5952 recommends. */
function shownAddress(address: IpAddress): string {
  if (address.family === 6 && address.value >> 32n === 0xffffn) return `::ffff:${formatIp({ family: 4, value: Number(address.value & 0xffffffffn) })}`;
  return formatIp(address);
}

function inAllowedRange(address: IpAddress, allow: FetchAllowList): boolean {
  const candidates: IpAddress[] = [address];
  if (address.family === 6) {
    const inner = embeddedV4(address.value);
    if (inner !== null) candidates.push({ family: 4, value: inner });
  }
  return candidates.some((a) =>
    allow.ranges.some((r) => ((r.family === 4 && a.family === 4) || (r.family === 6 && a.family === 6) ? a.value >= r.first && a.value <= r.last : false)),
  );
}

function hostAllowed(hostname: string, allow: FetchAllowList): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return allow.hosts.some((entry) => (entry.startsWith('*.') ? name.endsWith(entry.slice(1)) : name === entry));
}

const systemResolver: Resolver = async (hostname) =>
  (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/**
 * Checks a URL's scheme and every address its host resolves to; answers the address to connect to
 * (so the connection goes to the checked address, never to a second, rebound answer). Throws
 * FetchRefusedError for a refused destination; a failed resolution rejects with the resolver's error.
 * @example const { address } = await checkDestination(new URL('https://rdap.example/ip/1'), { allow: NO_FETCH_ALLOW });
 */
export async function checkDestination(url: URL, guard: FetchGuard): Promise<ResolvedAddress> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new FetchRefusedError(`refused: scheme ${url.protocol} is not http or https`, null, 'scheme');
  // The WHATWG parser has already turned 2130706433, 0x7f.1 and 017700000001 into 127.0.0.1.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = parseIp(host);
  const resolved: ResolvedAddress[] = literal ? [{ address: formatIp(literal), family: literal.family }] : await (guard.resolve ?? systemResolver)(host);
  if (resolved.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
  const named = !literal && hostAllowed(host, guard.allow);
  for (const entry of resolved) {
    const address = parseIp(entry.address);
    if (!address) throw new FetchRefusedError(`refused: ${host} resolves to an unreadable address`, entry.address, 'reserved');
    const found = refusedClass(address);
    if (found && !named && !inAllowedRange(address, guard.allow)) {
      const shown = shownAddress(address);
      const via = literal ? '' : ` (${host} resolves to it)`;
      throw new FetchRefusedError(`refused: ${shown} is a${/^[aeiou]/i.test(found) ? 'n' : ''} ${found} address${via}`, shown, found);
    }
  }
  return resolved[0]!;
}
