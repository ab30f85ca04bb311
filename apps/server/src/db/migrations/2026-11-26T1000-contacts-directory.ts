import { type Kysely, sql } from 'kysely';

// The directory: what we know about each organisation, its people, their PGP keys and its networks.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE organisations
      ADD COLUMN country text CHECK (country ~ '^[A-Z]{2}$'),
      ADD COLUMN languages text[] NOT NULL DEFAULT '{}',
      ADD COLUMN time_zone text,
      ADD COLUMN preferred_format text NOT NULL DEFAULT 'text' CHECK (preferred_format IN ('csv', 'xarf', 'text')),
      ADD COLUMN tlp_ceiling text NOT NULL DEFAULT 'amber' CHECK (tlp_ceiling IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
      ADD COLUMN pgp_policy text NOT NULL DEFAULT 'preferred' CHECK (pgp_policy IN ('required', 'preferred', 'never')),
      ADD COLUMN notes text,
      ADD COLUMN contact_confirmed_at timestamptz,
      ADD COLUMN csirt_profile jsonb CHECK (csirt_profile IS NULL OR jsonb_typeof(csirt_profile) = 'object'),
      ADD COLUMN is_national_csirt boolean NOT NULL DEFAULT false,
      ADD CONSTRAINT organisations_national_csirt_has_country CHECK (NOT is_national_csirt OR (kind = 'csirt' AND country IS NOT NULL));
    CREATE INDEX organisations_national_csirt ON organisations (country) WHERE kind = 'csirt' AND is_national_csirt;
    CREATE INDEX organisations_name_lower ON organisations (lower(name));

    CREATE TABLE people (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
      name text NOT NULL,
      name_ja text,
      role_title text,
      email text CHECK (email = lower(email)),
      phone text,
      emergency_phone text,
      is_role_address boolean NOT NULL DEFAULT false,
      languages text[] NOT NULL DEFAULT '{}',
      notes text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX people_organisation ON people (organisation_id);
    CREATE INDEX people_email ON people (email);

    CREATE TABLE pgp_keys (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid REFERENCES organisations (id) ON DELETE CASCADE,
      person_id uuid REFERENCES people (id) ON DELETE CASCADE,
      fingerprint text NOT NULL UNIQUE CHECK (fingerprint ~ '^([0-9A-F]{40}|[0-9A-F]{64})$'),
      armored text NOT NULL,
      user_ids text[] NOT NULL,
      emails text[] NOT NULL,
      algorithm text NOT NULL,
      bits integer,
      created_at_key timestamptz NOT NULL,
      expires_at timestamptz,
      revoked_at timestamptz,
      is_instance_key boolean NOT NULL DEFAULT false,
      private_armored text,
      imported_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pgp_keys_private_only_instance CHECK (private_armored IS NULL OR is_instance_key)
    );
    CREATE INDEX pgp_keys_emails ON pgp_keys USING gin (emails);
    CREATE INDEX pgp_keys_organisation ON pgp_keys (organisation_id);
    CREATE INDEX pgp_keys_person ON pgp_keys (person_id);
    CREATE UNIQUE INDEX pgp_keys_one_instance_key ON pgp_keys (is_instance_key) WHERE is_instance_key AND revoked_at IS NULL;

    CREATE TABLE organisation_networks (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('asn', 'ipv4', 'ipv6', 'domain')),
      value text NOT NULL,
      abuse_email text CHECK (abuse_email = lower(abuse_email)),
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT organisation_networks_asn CHECK (kind <> 'asn' OR value ~ '^(0|[1-9][0-9]{0,9})$'),
      CONSTRAINT organisation_networks_ipv4 CHECK (kind <> 'ipv4' OR (family(value::cidr) = 4 AND (value::cidr)::text = value)),
      CONSTRAINT organisation_networks_ipv6 CHECK (kind <> 'ipv6' OR (family(value::cidr) = 6 AND (value::cidr)::text = value)),
      CONSTRAINT organisation_networks_domain CHECK (kind <> 'domain' OR value ~ '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$'),
      UNIQUE (organisation_id, kind, value)
    );
    CREATE INDEX organisation_networks_kind_value ON organisation_networks (kind, value);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE organisation_networks;
    DROP TABLE pgp_keys;
    DROP TABLE people;
    DROP INDEX organisations_name_lower;
    DROP INDEX organisations_national_csirt;
    ALTER TABLE organisations
      DROP CONSTRAINT organisations_national_csirt_has_country,
      DROP COLUMN is_national_csirt,
      DROP COLUMN csirt_profile,
      DROP COLUMN contact_confirmed_at,
      DROP COLUMN notes,
      DROP COLUMN pgp_policy,
      DROP COLUMN tlp_ceiling,
      DROP COLUMN preferred_format,
      DROP COLUMN time_zone,
      DROP COLUMN languages,
      DROP COLUMN country;
  `.execute(db);
}
