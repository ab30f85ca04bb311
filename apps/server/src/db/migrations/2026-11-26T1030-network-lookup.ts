import { type Kysely, sql } from 'kysely';

// Imported IP data (RIR statistics, ip2asn TSV, MaxMind DB) and the RDAP bootstrap and answer cache
// behind "who can act on this?". The directory's own networks live in organisation_networks (contacts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE ipdata_datasets (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      format text NOT NULL CHECK (format IN ('rir', 'ip2asn', 'mmdb')),
      -- Which feed this is (the registry of an RIR file, 'ip2asn', an mmdb's database_type): a new
      -- import replaces the active dataset of the same source only.
      source text NOT NULL,
      file_name text NOT NULL,
      file_sha256 text NOT NULL,
      -- loading: being imported, invisible to lookups; active: in use; retired: replaced, about to be
      -- deleted. A failed import is deleted.
      state text NOT NULL CHECK (state IN ('loading', 'active', 'retired')),
      -- The date the file says its data is from (RIR header, mmdb build epoch); NULL = the file does not say.
      data_date date,
      ipv4_ranges integer NOT NULL DEFAULT 0,
      ipv6_ranges integer NOT NULL DEFAULT 0,
      asns integer NOT NULL DEFAULT 0,
      rejected_lines integer NOT NULL DEFAULT 0,
      imported_by text NOT NULL,
      imported_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz
    );
    CREATE UNIQUE INDEX ipdata_datasets_one_active_source ON ipdata_datasets (source) WHERE state = 'active';

    CREATE TABLE ipdata_ranges (
      dataset_id uuid NOT NULL REFERENCES ipdata_datasets (id) ON DELETE CASCADE,
      first_ip inet NOT NULL,
      last_ip inet NOT NULL CHECK (family(first_ip) = family(last_ip) AND first_ip <= last_ip),
      asn bigint, -- NULL = the file gives no ASN (RIR files, "not routed" ranges)
      country text -- ISO 3166 alpha-2; NULL = the file gives none
    );
    CREATE INDEX ipdata_ranges_dataset ON ipdata_ranges (dataset_id);

    CREATE TABLE ipdata_asns (
      dataset_id uuid NOT NULL REFERENCES ipdata_datasets (id) ON DELETE CASCADE,
      asn bigint NOT NULL,
      country text, -- NULL = not given
      name text, -- NULL = not given (RIR files name no AS)
      PRIMARY KEY (dataset_id, asn)
    );

    -- The IANA RDAP bootstrap registries (RFC 9224), one per kind, as imported.
    CREATE TABLE rdap_bootstrap (
      kind text PRIMARY KEY CHECK (kind IN ('dns', 'ipv4', 'ipv6', 'asn')),
      document jsonb NOT NULL,
      file_name text NOT NULL,
      publication text, -- the file's own "publication" timestamp; NULL = absent
      imported_at timestamptz NOT NULL DEFAULT now()
    );

    -- What an RDAP server answered for a query ('ip:192.0.2.1' is cached under the server's network).
    CREATE TABLE rdap_cache (
      query_key text PRIMARY KEY,
      server text NOT NULL,
      answer jsonb NOT NULL,
      fetched_at timestamptz NOT NULL DEFAULT now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE rdap_cache; DROP TABLE rdap_bootstrap; DROP TABLE ipdata_asns; DROP TABLE ipdata_ranges; DROP TABLE ipdata_datasets`.execute(db);
}
