import { type IpAddress, formatIp, parseCidr } from '../../kernel/ip.ts';

export type RdapKind = 'dns' | 'ipv4' | 'ipv6' | 'asn';
export const RDAP_KINDS: readonly RdapKind[] = ['dns', 'ipv4', 'ipv6', 'asn'];

/** An IANA RDAP bootstrap file (RFC 9224): `services` is a list of [entries, urls]. */
interface BootstrapDocument {
  version?: unknown;
  publication?: unknown;
  services: [string[], string[]][];
}

/**
 * Checks an RDAP bootstrap file and says which registry it is (by its entries: TLDs, IPv4 or IPv6
 * prefixes, or ASN ranges). Untrusted input. @example readBootstrap(text) // { kind: 'ipv4', document, publication }
 */
export function readBootstrap(text: string): { kind: RdapKind; document: BootstrapDocument; publication: string | null } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('not JSON');
  }
  const doc = parsed as Partial<BootstrapDocument>;
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.services)) throw new Error('no "services" list: not an RDAP bootstrap file');
  for (const service of doc.services) {
    if (
      !Array.isArray(service) ||
      service.length < 2 ||
      !Array.isArray(service[0]) ||
      !Array.isArray(service[1]) ||
      !service[0].every((e) => typeof e === 'string') ||
      !service[1].every((u) => typeof u === 'string' && /^https?:\/\//.test(u))
    ) {
      throw new Error('a service is not [entries, urls] with http(s) URLs');
    }
  }
  const entries = doc.services.flatMap((s) => s[0]);
  if (entries.length === 0) throw new Error('the bootstrap file lists no services');
  const kind: RdapKind = entries.every((e) => /^\d+(-\d+)?$/.test(e))
    ? 'asn'
    : entries.every((e) => parseCidr(e)?.family === 4)
      ? 'ipv4'
      : entries.every((e) => parseCidr(e)?.family === 6)
        ? 'ipv6'
        : entries.every((e) => /^[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(e))
          ? 'dns'
          : (() => {
              throw new Error('entries are neither TLDs, IP prefixes nor ASN ranges');
            })();
  return { kind, document: doc as BootstrapDocument, publication: typeof doc.publication === 'string' ? doc.publication.slice(0, 64) : null };
}

function pickUrl(urls: string[]): string | null {
  return urls.find((u) => u.startsWith('https://')) ?? urls[0] ?? null;
}

const withSlash = (base: string) => (base.endsWith('/') ? base : `${base}/`);

/** The RDAP query URL for an address, by longest matching bootstrap prefix; null when none matches. */
export function rdapUrlForIp(document: BootstrapDocument, address: IpAddress): string | null {
  let best: { length: number; url: string } | null = null;
  for (const [entries, urls] of document.services) {
    const url = pickUrl(urls);
    if (!url) continue;
    for (const entry of entries) {
      const range = parseCidr(entry);
      if (!range || range.family !== address.family) continue;
      const inside =
        range.family === 4
          ? address.value >= range.first && address.value <= range.last
          : (address.value as bigint) >= range.first && (address.value as bigint) <= range.last;
      if (inside && (!best || range.length > best.length)) best = { length: range.length, url };
    }
  }
  return best ? `${withSlash(best.url)}ip/${formatIp(address)}` : null;
}

/** The RDAP query URL for a domain by its longest matching label suffix (usually the TLD). */
export function rdapUrlForDomain(document: BootstrapDocument, domain: string): string | null {
  let best: { labels: number; url: string } | null = null;
  for (const [entries, urls] of document.services) {
    const url = pickUrl(urls);
    if (!url) continue;
    for (const entry of entries) {
      const suffix = entry.toLowerCase();
      if ((domain === suffix || domain.endsWith(`.${suffix}`)) && (!best || suffix.split('.').length > best.labels))
        best = { labels: suffix.split('.').length, url };
    }
  }
  return best ? `${withSlash(best.url)}domain/${domain}` : null;
}

export function rdapUrlForAsn(document: BootstrapDocument, asn: number): string | null {
  for (const [entries, urls] of document.services) {
    const url = pickUrl(urls);
    if (!url) continue;
    for (const entry of entries) {
      const [low, high = low] = entry.split('-').map(Number);
      if (asn >= low! && asn <= high!) return `${withSlash(url)}autnum/${asn}`;
    }
  }
  return null;
}

/** What an RDAP record says that a lookup uses. */
export interface RdapSummary {
  objectClass: string;
  handle: string | null;
  name: string | null;
  country: string | null;
  /** Registered range as text, when the record gives one. */
  range: string | null;
  /** Addresses of entities with the 'abuse' role, nested ones (a registrar's) included. */
  abuseEmails: string[];
}

const MAX_ENTITIES = 200;

/**
 * Reads an RDAP response (RFC 9083). Untrusted input: only the fields used are read, each checked.
 * @example summariseRdap(JSON.parse(body)) // { abuseEmails: ['abuse@example.net'], ... }
 */
export function summariseRdap(json: unknown): RdapSummary {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error('the answer is not a JSON object');
  const record = json as Record<string, unknown>;
  const str = (v: unknown, max = 200) => (typeof v === 'string' && v !== '' ? v.slice(0, max) : null);
  const abuse = new Set<string>();
  let visited = 0;
  const walk = (entities: unknown, depth: number) => {
    if (!Array.isArray(entities) || depth > 4) return;
    for (const entity of entities) {
      if (++visited > MAX_ENTITIES || !entity || typeof entity !== 'object') return;
      const e = entity as Record<string, unknown>;
      const roles = Array.isArray(e.roles) ? e.roles : [];
      if (roles.includes('abuse')) for (const email of vcardEmails(e.vcardArray)) abuse.add(email);
      walk(e.entities, depth + 1);
    }
  };
  walk(record.entities, 0);
  const range = str(record.startAddress) && str(record.endAddress) ? `${str(record.startAddress)} - ${str(record.endAddress)}` : null;
  const cidrs = Array.isArray(record.cidr0_cidrs) ? record.cidr0_cidrs : [];
  const firstCidr = cidrs[0] as Record<string, unknown> | undefined;
  const cidrText =
    firstCidr && (str(firstCidr.v4prefix) ?? str(firstCidr.v6prefix)) && typeof firstCidr.length === 'number'
      ? `${str(firstCidr.v4prefix) ?? str(firstCidr.v6prefix)}/${firstCidr.length}`
      : null;
  const country = str(record.country, 2);
  return {
    objectClass: str(record.objectClassName, 40) ?? 'unknown',
    handle: str(record.handle),
    name: str(record.name) ?? str(record.ldhName),
    country: country && /^[A-Z]{2}$/i.test(country) ? country.toUpperCase() : null,
    range: cidrText ?? range,
    abuseEmails: [...abuse].slice(0, 10),
  };
}

function vcardEmails(vcard: unknown): string[] {
  if (!Array.isArray(vcard) || vcard[0] !== 'vcard' || !Array.isArray(vcard[1])) return [];
  const out: string[] = [];
  for (const property of vcard[1] as unknown[]) {
    if (!Array.isArray(property) || property[0] !== 'email') continue;
    const value = property[3];
    if (typeof value === 'string' && /^[^\s@<>]{1,64}@[^\s@<>]{1,253}$/.test(value)) out.push(value.toLowerCase());
  }
  return out;
}
