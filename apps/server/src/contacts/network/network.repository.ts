import { type Kysely, sql } from 'kysely';
import type { Schema } from '../../db/schema/index.ts';
import { parseIPv6 } from '../../kernel/ip.ts';
import { Ipv4RangeBuilder, type Ipv4RangeTable, Ipv6RangeBuilder, type Ipv6RangeTable, packCountry } from './ip-range-table.ts';
import type { RdapKind } from './rdap.ts';

export interface Dataset {
  id: string;
  format: 'rir' | 'ip2asn' | 'mmdb';
  source: string;
  fileName: string;
  /** The date the data is from: the file's own date, else the import date (YYYY-MM-DD). */
  date: string;
  importedAt: Date;
  ipv4Ranges: number;
  ipv6Ranges: number;
  asns: number;
  rejectedLines: number;
}

/** A dataset in memory: its ranges as lookup tables, and its ASN facts. */
export interface LoadedDataset {
  dataset: Dataset;
  v4: Ipv4RangeTable;
  v6: Ipv6RangeTable;
  asns: Map<number, { country: string | null; name: string | null }>;
}

export async function activeDatasets(db: Kysely<Schema>): Promise<Dataset[]> {
  const rows = await db
    .selectFrom('ipdata_datasets')
    .select(['id', 'format', 'source', 'file_name', 'imported_at', 'ipv4_ranges', 'ipv6_ranges', 'asns', 'rejected_lines'])
    .select(sql<string | null>`data_date::text`.as('data_date_text'))
    .where('state', '=', 'active')
    .orderBy('imported_at', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    format: row.format as Dataset['format'],
    source: row.source,
    fileName: row.file_name,
    date: row.data_date_text ?? row.imported_at.toISOString().slice(0, 10),
    importedAt: row.imported_at,
    ipv4Ranges: row.ipv4_ranges,
    ipv6Ranges: row.ipv6_ranges,
    asns: row.asns,
    rejectedLines: row.rejected_lines,
  }));
}

/** Reads a dataset's ranges into typed-array tables (IPv4 as integers straight from SQL: inet minus 0.0.0.0). */
export async function loadDataset(db: Kysely<Schema>, dataset: Dataset): Promise<LoadedDataset> {
  const v4 = new Ipv4RangeBuilder();
  const v4rows = await sql<{ f: number; l: number; asn: number | null; country: string | null }>`
    SELECT first_ip - '0.0.0.0'::inet AS f, last_ip - '0.0.0.0'::inet AS l, asn, country
    FROM ipdata_ranges WHERE dataset_id = ${dataset.id} AND family(first_ip) = 4`.execute(db);
  for (const row of v4rows.rows) v4.add(Number(row.f), Number(row.l), row.asn ?? 0, packCountry(row.country));
  const v6 = new Ipv6RangeBuilder();
  const v6rows = await sql<{ f: string; l: string; asn: number | null; country: string | null }>`
    SELECT host(first_ip) AS f, host(last_ip) AS l, asn, country
    FROM ipdata_ranges WHERE dataset_id = ${dataset.id} AND family(first_ip) = 6`.execute(db);
  for (const row of v6rows.rows) {
    const first = parseIPv6(row.f);
    const last = parseIPv6(row.l);
    if (first !== null && last !== null) v6.add(first, last, row.asn ?? 0, packCountry(row.country));
  }
  const asnRows = await db.selectFrom('ipdata_asns').select(['asn', 'country', 'name']).where('dataset_id', '=', dataset.id).execute();
  const asns = new Map(asnRows.map((row) => [Number(row.asn), { country: row.country, name: row.name }]));
  return { dataset, v4: v4.build(), v6: v6.build(), asns };
}

/** A network the directory lists for an organisation. */
export interface DirectoryNetwork {
  kind: 'asn' | 'ipv4' | 'ipv6' | 'domain';
  value: string;
  abuseEmail: string | null;
  createdAt: Date;
  organisationId: string;
  organisationName: string;
  organisationEmail: string | null;
  organisationCountry: string | null;
}

function directoryQuery(db: Kysely<Schema>) {
  return db
    .selectFrom('organisation_networks as n')
    .innerJoin('organisations as o', 'o.id', 'n.organisation_id')
    .select(['n.kind', 'n.value', 'n.abuse_email', 'n.created_at', 'o.id as organisation_id', 'o.name as organisation_name', 'o.contact_email', 'o.country']);
}

type DirectoryRow = Awaited<ReturnType<ReturnType<typeof directoryQuery>['execute']>>[number];

const toNetwork = (row: DirectoryRow): DirectoryNetwork => ({
  kind: row.kind as DirectoryNetwork['kind'],
  value: row.value,
  abuseEmail: row.abuse_email,
  createdAt: row.created_at,
  organisationId: row.organisation_id,
  organisationName: row.organisation_name,
  organisationEmail: row.contact_email,
  organisationCountry: row.country,
});

/** Every IP prefix in the directory (it is small beside imported data: read whole per lookup batch). */
export async function directoryPrefixes(db: Kysely<Schema>): Promise<DirectoryNetwork[]> {
  return (await directoryQuery(db).where('n.kind', 'in', ['ipv4', 'ipv6']).execute()).map(toNetwork);
}

/** Every AS number the directory lists (small: read whole per bulk run). */
export async function directoryAsns(db: Kysely<Schema>): Promise<DirectoryNetwork[]> {
  return (await directoryQuery(db).where('n.kind', '=', 'asn').execute()).map(toNetwork);
}

export async function directoryByValues(db: Kysely<Schema>, kind: 'asn' | 'domain', values: string[]): Promise<DirectoryNetwork[]> {
  if (values.length === 0) return [];
  return (
    await directoryQuery(db)
      .where('n.kind', '=', kind)
      .where('n.value', '=', sql<string>`ANY(${values}::text[])`)
      .execute()
  ).map(toNetwork);
}

export interface NationalCsirt {
  id: string;
  name: string;
  email: string | null;
  country: string;
  updatedAt: Date;
}

export async function nationalCsirts(db: Kysely<Schema>, countries: string[]): Promise<NationalCsirt[]> {
  if (countries.length === 0) return [];
  const rows = await db
    .selectFrom('organisations')
    .select(['id', 'name', 'contact_email', 'country', 'updated_at'])
    .where('kind', '=', 'csirt')
    .where('is_national_csirt', '=', true)
    .where('country', '=', sql<string>`ANY(${countries}::text[])`)
    .orderBy('name')
    .execute();
  return rows.map((row) => ({ id: row.id, name: row.name, email: row.contact_email, country: row.country!, updatedAt: row.updated_at }));
}

export async function rdapBootstraps(db: Kysely<Schema>): Promise<Map<RdapKind, unknown>> {
  const rows = await db.selectFrom('rdap_bootstrap').select(['kind', 'document']).execute();
  return new Map(rows.map((row) => [row.kind as RdapKind, row.document]));
}

export async function saveRdapBootstrap(
  db: Kysely<Schema>,
  entry: { kind: RdapKind; document: unknown; fileName: string; publication: string | null },
): Promise<void> {
  await db
    .insertInto('rdap_bootstrap')
    .values({ kind: entry.kind, document: JSON.stringify(entry.document), file_name: entry.fileName, publication: entry.publication })
    .onConflict((oc) =>
      oc
        .column('kind')
        .doUpdateSet({ document: JSON.stringify(entry.document), file_name: entry.fileName, publication: entry.publication, imported_at: new Date() }),
    )
    .execute();
}

export async function cachedRdap(
  db: Kysely<Schema>,
  keys: string[],
  maxAgeDays: number,
): Promise<Map<string, { server: string; answer: unknown; fetchedAt: Date }>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('rdap_cache')
    .select(['query_key', 'server', 'answer', 'fetched_at'])
    .where('query_key', '=', sql<string>`ANY(${keys}::text[])`)
    .where('fetched_at', '>', sql<Date>`now() - make_interval(days => ${maxAgeDays})`)
    .execute();
  return new Map(rows.map((row) => [row.query_key, { server: row.server, answer: row.answer, fetchedAt: row.fetched_at }]));
}

export async function cacheRdap(db: Kysely<Schema>, key: string, server: string, answer: unknown): Promise<void> {
  const json = JSON.stringify(answer);
  await db
    .insertInto('rdap_cache')
    .values({ query_key: key, server, answer: json, fetched_at: new Date() })
    .onConflict((oc) => oc.column('query_key').doUpdateSet({ server, answer: json, fetched_at: new Date() }))
    .execute();
}
