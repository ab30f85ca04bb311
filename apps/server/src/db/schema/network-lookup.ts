import type { ColumnType, Generated } from 'kysely';

export interface IpdataDatasetsTable {
  id: Generated<string>;
  /** rir | ip2asn | mmdb */
  format: string;
  /** The feed (an RIR's registry, 'ip2asn', an mmdb's database_type); one active dataset per source. */
  source: string;
  file_name: string;
  file_sha256: string;
  /** loading (invisible to lookups) | active | retired (replaced, being deleted) */
  state: string;
  /** The date the file says its data is from; NULL = it does not say. */
  data_date: ColumnType<string | null, string | null, string | null>;
  ipv4_ranges: Generated<number>;
  ipv6_ranges: Generated<number>;
  asns: Generated<number>;
  rejected_lines: Generated<number>;
  imported_by: string;
  imported_at: ColumnType<Date, never, never>;
  /** NULL while loading. */
  completed_at: Date | null;
}

/** Address ranges; first_ip/last_ip are inet text. */
export interface IpdataRangesTable {
  dataset_id: string;
  first_ip: string;
  last_ip: string;
  /** NULL = the file gives no ASN. */
  asn: number | null;
  /** NULL = the file gives no country. */
  country: string | null;
}

export interface IpdataAsnsTable {
  dataset_id: string;
  asn: number;
  country: string | null;
  /** NULL = the file names no AS (RIR files). */
  name: string | null;
}

export interface RdapBootstrapTable {
  /** dns | ipv4 | ipv6 | asn */
  kind: string;
  document: unknown;
  file_name: string;
  publication: string | null;
  imported_at: ColumnType<Date, never, Date>;
}

export interface RdapCacheTable {
  query_key: string;
  server: string;
  answer: unknown;
  fetched_at: ColumnType<Date, Date | undefined, Date>;
}
