// The directory search: one organisation list from a name, an AS number, an address or prefix, a domain or an e-mail address.
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { ORGANISATION_KINDS, type OrganisationKind, type OrganisationSummary } from '@renkei/contract';
import type { Schema } from '../db/schema/index.ts';
import { type Scope, scopeWhere } from '../policy/scope.ts';
import { parseAsn, parseIpAddress, parseNetworkValue } from './network-values.ts';

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface OrganisationSearch {
  q?: string | undefined;
  kind?: string | undefined;
  country?: string | undefined;
  offset: number;
  limit: number;
}

/** A page of the organisations in `scope` that match, each with the network that matched it. */
export async function searchOrganisationRows(
  db: Kysely<Schema>,
  scope: Scope,
  query: OrganisationSearch,
): Promise<{ items: OrganisationSummary[]; total: number }> {
  const conditions: RawBuilder<boolean>[] = [sql<boolean>`${scopeWhere(scope, { organisation: sql.ref('o.id') })}`];
  if (query.kind) conditions.push(sql<boolean>`o.kind = ${query.kind}`);
  if (query.country) conditions.push(sql<boolean>`o.country = ${query.country}`);
  let networkMatch: RawBuilder<boolean> | null = null;
  const term = query.q?.trim() ?? '';
  if (term) {
    const like = `%${escapeLike(term)}%`;
    const anyOf: RawBuilder<boolean>[] = [sql<boolean>`o.name ILIKE ${like}`, sql<boolean>`o.name_ja ILIKE ${like}`];
    const ip = parseIpAddress(term);
    const asn = /^(as\s*)?[0-9]+(\.[0-9]+)?$/i.test(term) ? parseAsn(term) : null;
    const prefix = term.includes('/') ? parseNetworkValue(term) : null;
    const email = term.includes('@') ? term.toLowerCase() : null;
    const domainText = email ? email.slice(email.lastIndexOf('@') + 1) : !ip && !asn?.ok && !prefix ? term : null;
    const domain = domainText && domainText.includes('.') ? parseNetworkValue(domainText, 'domain') : null;
    if (ip)
      networkMatch = sql<boolean>`(n.kind = ${ip.kind} AND CASE WHEN n.kind IN ('ipv4', 'ipv6') THEN n.value::cidr >>= ${ip.address}::inet ELSE false END)`;
    else if (asn?.ok) networkMatch = sql<boolean>`(n.kind = 'asn' AND n.value = ${asn.value})`;
    else if (prefix?.ok && (prefix.kind === 'ipv4' || prefix.kind === 'ipv6'))
      networkMatch = sql<boolean>`(n.kind = ${prefix.kind} AND CASE WHEN n.kind IN ('ipv4', 'ipv6') THEN n.value::cidr && ${prefix.value}::cidr ELSE false END)`;
    else if (domain?.ok) networkMatch = sql<boolean>`(n.kind = 'domain' AND (n.value = ${domain.value} OR ${domain.value} LIKE '%.' || n.value))`;
    if (networkMatch) anyOf.push(sql<boolean>`EXISTS (SELECT 1 FROM organisation_networks n WHERE n.organisation_id = o.id AND ${networkMatch})`);
    if (email)
      anyOf.push(sql<boolean>`o.contact_email = ${email}`, sql<boolean>`EXISTS (SELECT 1 FROM people p WHERE p.organisation_id = o.id AND p.email = ${email})`);
    conditions.push(sql<boolean>`(${sql.join(anyOf, sql` OR `)})`);
  }
  const where = sql.join(conditions, sql` AND `);
  const matched = networkMatch
    ? sql<
        string | null
      >`(SELECT n.kind || ' ' || n.value FROM organisation_networks n WHERE n.organisation_id = o.id AND ${networkMatch} ORDER BY n.value LIMIT 1)`
    : sql<string | null>`NULL::text`;
  const rows = await sql<{
    id: string;
    name: string;
    name_ja: string | null;
    kind: string;
    country: string | null;
    contact_email: string | null;
    is_national_csirt: boolean;
    is_self: boolean;
    matched: string | null;
  }>`
    SELECT o.id, o.name, o.name_ja, o.kind, o.country, o.contact_email, o.is_national_csirt, o.is_self, ${matched} AS matched
    FROM organisations o WHERE ${where}
    ORDER BY lower(o.name), o.id LIMIT ${query.limit} OFFSET ${query.offset}`.execute(db);
  const count = await sql<{ total: number }>`SELECT count(*)::int AS total FROM organisations o WHERE ${where}`.execute(db);
  return {
    items: rows.rows.map((row) => ({
      id: row.id,
      name: row.name,
      nameJa: row.name_ja,
      kind: (ORGANISATION_KINDS as readonly string[]).includes(row.kind) ? (row.kind as OrganisationKind) : 'other',
      country: row.country,
      contactEmail: row.contact_email,
      isNationalCsirt: row.is_national_csirt,
      isSelf: row.is_self,
      matched: row.matched,
    })),
    total: count.rows[0]?.total ?? 0,
  };
}
