// One lookup answer per item: the field shape with its provenance, and the answers from imported data and the directory.
import type { Kysely } from 'kysely';
import type { Confidence, LookupAnswer } from '@renkei/contract';
import type { Schema } from '../../db/schema/index.ts';
import { type IpAddress, parseCidr, prefixWithinV4, prefixWithinV6, specialUse } from '../../kernel/ip.ts';
import type { Indicator } from './indicator.ts';
import { Ipv4RangeBuilder, Ipv6RangeBuilder, unpackCountry } from './ip-range-table.ts';
import { type Dataset, type DirectoryNetwork, type LoadedDataset, directoryPrefixes } from './network.repository.ts';

export type Answer = LookupAnswer;
export type OnlineEntry = LookupAnswer['online'][number];

export interface DirectoryTables {
  find(address: IpAddress): DirectoryNetwork | null;
}

type Field<T> = { value: T | null; source: string | null; date: string | null; confidence: Confidence | null };
export const none = <T>(): Field<T> => ({ value: null, source: null, date: null, confidence: null });
export const field = <T>(value: T, source: string, date: string | Date, confidence: Confidence): Field<T> => ({
  value,
  source,
  date: typeof date === 'string' ? date : date.toISOString(),
  confidence,
});

// Which imported formats answer which question first, when ranges are equally specific (ASN) or always (country).
export const ASN_ORDER = ['ip2asn', 'mmdb', 'rir'] as const;
export const COUNTRY_ORDER = ['rir', 'ip2asn', 'mmdb'] as const;
// ccTLDs that are not the ISO code of their country, or name no country.
export const TLD_COUNTRY: Record<string, string | null> = { uk: 'GB', eu: null, su: null, ac: null };

export const datasetLabel = (dataset: Dataset) => `${dataset.format}:${dataset.fileName}`;

/** An address's answer from the imported datasets, then the directory's longest prefix over it. */
export function answerIp(
  indicator: Indicator & { kind: 'ip' },
  data: LoadedDataset[],
  directory: DirectoryTables,
  importedConfidence: (dataset: Dataset) => Confidence,
): Answer {
  const answer = emptyAnswer(indicator);
  const address = indicator.address;
  answer.note = specialUse(address);
  const hits: { loaded: LoadedDataset; asn: number; country: string | null; prefix: string; size: number }[] = [];
  for (const item of data) {
    if (address.family === 4) {
      const i = item.v4.find(address.value);
      if (i !== -1)
        hits.push({
          loaded: item,
          asn: item.v4.asns[i]!,
          country: unpackCountry(item.v4.countries[i]!),
          prefix: prefixWithinV4(address.value, item.v4.starts[i]!, item.v4.ends[i]!),
          size: item.v4.ends[i]! - item.v4.starts[i]!,
        });
    } else {
      const i = item.v6.find(address.value);
      if (i !== -1)
        hits.push({
          loaded: item,
          asn: item.v6.asns[i]!,
          country: unpackCountry(item.v6.countries[i]!),
          prefix: prefixWithinV6(address.value, item.v6.first(i), item.v6.last(i)),
          size: Number(item.v6.last(i) - item.v6.first(i)),
        });
    }
  }
  const rank = (order: readonly string[], hit: (typeof hits)[number]) => order.indexOf(hit.loaded.dataset.format);
  // The ASN from the most specific range of any dataset (longest prefix), then routing data first;
  // the country from registration data first (the holder's country is what the national-CSIRT flow needs).
  const asnHit = [...hits].sort((a, b) => a.size - b.size || rank(ASN_ORDER, a) - rank(ASN_ORDER, b)).find((h) => h.asn !== 0);
  const countryHit = [...hits].sort((a, b) => rank(COUNTRY_ORDER, a) - rank(COUNTRY_ORDER, b) || a.size - b.size).find((h) => h.country !== null);
  const prefixHit = asnHit ?? countryHit ?? hits[0];
  if (prefixHit)
    answer.prefix = field(
      prefixHit.prefix,
      datasetLabel(prefixHit.loaded.dataset),
      prefixHit.loaded.dataset.date,
      importedConfidence(prefixHit.loaded.dataset),
    );
  if (asnHit) {
    const d = asnHit.loaded.dataset;
    answer.asn = field(asnHit.asn, datasetLabel(d), d.date, importedConfidence(d));
    const named = [asnHit.loaded, ...data].find((l) => l.asns.get(asnHit.asn)?.name);
    if (named) answer.asName = field(named.asns.get(asnHit.asn)!.name!, datasetLabel(named.dataset), named.dataset.date, importedConfidence(named.dataset));
  }
  if (countryHit)
    answer.country = field(
      countryHit.country!,
      datasetLabel(countryHit.loaded.dataset),
      countryHit.loaded.dataset.date,
      importedConfidence(countryHit.loaded.dataset),
    );
  const held = directory.find(address);
  if (held) {
    answer.prefix = field(held.value, 'directory', held.createdAt, 'high');
    applyDirectory(answer, held, 'high');
  }
  return answer;
}

/** Fills the organisation, abuse contact and country from a directory network. */
export function applyDirectory(answer: Answer, network: DirectoryNetwork, confidence: Confidence): void {
  const source = network.kind === 'asn' ? `directory (AS${network.value})` : 'directory';
  answer.organisation = field({ id: network.organisationId, name: network.organisationName }, source, network.createdAt, confidence);
  if (network.abuseEmail) answer.abuseContact = field(network.abuseEmail, source, network.createdAt, confidence);
  else if (network.organisationEmail) answer.abuseContact = field(network.organisationEmail, `${source}: organisation contact`, network.createdAt, 'medium');
  if (network.organisationCountry && confidence === 'high') answer.country = field(network.organisationCountry, source, network.createdAt, 'high');
}

/** The directory's prefixes as range tables: the innermost prefix over an address answers. */
export async function directoryTables(db: Kysely<Schema>): Promise<DirectoryTables> {
  const networks = await directoryPrefixes(db);
  const v4 = new Ipv4RangeBuilder();
  const v6 = new Ipv6RangeBuilder();
  // The tables' ASN slot carries the row number + 1 here: the innermost (longest) prefix wins on build.
  networks.forEach((network, i) => {
    const range = parseCidr(network.value);
    if (range?.family === 4) v4.add(range.first, range.last, i + 1, 0);
    else if (range?.family === 6) v6.add(range.first, range.last, i + 1, 0);
  });
  const t4 = v4.build();
  const t6 = v6.build();
  return {
    find(address) {
      const i = address.family === 4 ? t4.find(address.value) : t6.find(address.value);
      if (i === -1) return null;
      return networks[(address.family === 4 ? t4.asns[i]! : t6.asns[i]!) - 1] ?? null;
    },
  };
}

export function emptyAnswer(indicator: Indicator): Answer {
  return {
    input: indicator.input,
    kind: indicator.kind,
    error: indicator.kind === 'invalid' ? indicator.error : null,
    normalized: indicator.kind === 'invalid' ? null : indicator.normalized,
    display: indicator.kind === 'domain' ? indicator.display : indicator.kind === 'ip' ? indicator.normalized : null,
    note: null,
    prefix: none(),
    asn: none(),
    asName: none(),
    country: none(),
    organisation: none(),
    abuseContact: none(),
    nationalCsirt: none(),
    online: [],
  };
}
