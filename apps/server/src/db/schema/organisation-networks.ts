import type { ColumnType, Generated } from 'kysely';

export interface OrganisationNetworksTable {
  id: Generated<string>;
  organisation_id: string;
  /** asn | ipv4 | ipv6 | domain */
  kind: string;
  /** Canonical: ASN as decimal text ('64500'), CIDR as PostgreSQL prints it ('192.0.2.0/24', '2001:db8::/32'), domain lower-case punycode. */
  value: string;
  /** Where abuse for this resource goes, lower-cased; NULL = the organisation's contact. */
  abuse_email: string | null;
  created_at: ColumnType<Date, never, never>;
}
