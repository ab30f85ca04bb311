// The bulk resolver for feeds: one snapshot of the imported tables and the directory, answering per address with no query.
import type { LoadedDataset, DirectoryNetwork } from './network.repository.ts';
import { ASN_ORDER, COUNTRY_ORDER, type DirectoryTables } from './lookup-answers.ts';
import { unpackCountry } from './ip-range-table.ts';

/** What the bulk resolver fills in for an address; 0 / null = unknown. */
export interface BulkAnswer {
  asn: number;
  country: string | null;
  organisationId: string | null;
  /** The directory's abuse address for the network, else its organisation's contact address. */
  abuseEmail: string | null;
}

export interface BulkResolver {
  /** Fills `out` for an IPv4 address given as an unsigned 32-bit integer (allocates nothing). */
  resolve4(ip: number, out: BulkAnswer): void;
  resolve6(ip: bigint, out: BulkAnswer): void;
}

export function bulkResolverOver(data: LoadedDataset[], directory: DirectoryTables, asnNetworks: DirectoryNetwork[]): BulkResolver {
  const asnOrder = [...data].sort((a, b) => ASN_ORDER.indexOf(a.dataset.format) - ASN_ORDER.indexOf(b.dataset.format));
  const countryOrder = [...data].sort((a, b) => COUNTRY_ORDER.indexOf(a.dataset.format) - COUNTRY_ORDER.indexOf(b.dataset.format));
  const byAsn = new Map(asnNetworks.map((n) => [Number(n.value), n]));
  const finish = (out: BulkAnswer, held: DirectoryNetwork | null) => {
    const holder = held ?? (out.asn !== 0 ? (byAsn.get(out.asn) ?? null) : null);
    out.organisationId = holder?.organisationId ?? null;
    out.abuseEmail = holder ? (holder.abuseEmail ?? holder.organisationEmail) : null;
    if (held?.organisationCountry) out.country = held.organisationCountry;
  };
  const probe: { family: 4; value: number } = { family: 4, value: 0 };
  return {
    resolve4(ip, out) {
      out.asn = 0;
      out.country = null;
      let bestSize = Infinity;
      for (const item of asnOrder) {
        const i = item.v4.find(ip);
        if (i === -1 || item.v4.asns[i] === 0) continue;
        const size = item.v4.ends[i]! - item.v4.starts[i]!;
        if (size < bestSize) {
          bestSize = size;
          out.asn = item.v4.asns[i]!;
        }
      }
      for (const item of countryOrder) {
        const i = item.v4.find(ip);
        if (i !== -1 && item.v4.countries[i] !== 0) {
          out.country = unpackCountry(item.v4.countries[i]!);
          break;
        }
      }
      probe.value = ip;
      finish(out, directory.find(probe));
    },
    resolve6(ip, out) {
      out.asn = 0;
      out.country = null;
      let bestSize = -1n;
      for (const item of asnOrder) {
        const i = item.v6.find(ip);
        if (i === -1 || item.v6.asns[i] === 0) continue;
        const size = item.v6.last(i) - item.v6.first(i);
        if (bestSize < 0n || size < bestSize) {
          bestSize = size;
          out.asn = item.v6.asns[i]!;
        }
      }
      for (const item of countryOrder) {
        const i = item.v6.find(ip);
        if (i !== -1 && item.v6.countries[i] !== 0) {
          out.country = unpackCountry(item.v6.countries[i]!);
          break;
        }
      }
      finish(out, directory.find({ family: 6, value: ip }));
    },
  };
}
