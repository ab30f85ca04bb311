import type { Kysely } from 'kysely';
import { type Confidence, LOOKUP_MAX_ITEMS, type LookupAnswer } from '@renkei/contract';
import { recordAudit } from '../../audit/index.ts';
import type { Schema } from '../../db/schema/index.ts';
import { BadRequestError, ForbiddenError } from '../../kernel/errors.ts';
import type { RequestContext } from '../../policy/actor.ts';
import { type FetchLimits, boundedGet } from '../../kernel/bounded-fetch.ts';
import { type FetchGuard, NO_FETCH_ALLOW } from '../../kernel/fetch-guard.ts';
import { type Indicator, parentDomains, parseIndicator } from './indicator.ts';
import { type IpAddress, parseCidr, prefixWithinV4, prefixWithinV6, specialUse } from '../../kernel/ip.ts';
import { Ipv4RangeBuilder, Ipv6RangeBuilder, unpackCountry } from './ip-range-table.ts';
import { type ImportOptions, type ImportSummary, importIpData } from './ipdata-import.ts';
import { networkPolicy } from './network.policy.ts';
import {
  type Dataset,
  type DirectoryNetwork,
  type LoadedDataset,
  activeDatasets,
  cacheRdap,
  cachedRdap,
  directoryAsns,
  directoryByValues,
  directoryPrefixes,
  loadDataset,
  nationalCsirts,
  rdapBootstraps,
  saveRdapBootstrap,
} from './network.repository.ts';
import { type RdapKind, type RdapSummary, readBootstrap, rdapUrlForDomain, rdapUrlForIp, summariseRdap } from './rdap.ts';
import { parseSecurityTxt } from './security-txt.ts';

export interface OnlineOptions {
  /** Per source, for the whole exchange. */
  timeoutMs: number;
  /** Largest answer read from a source. */
  maxBytes: number;
  maxRedirects: number;
  /** RDAP answers younger than this are taken from the cache. */
  rdapCacheDays: number;
  /** Sources asked at once. */
  concurrency: number;
  /** Where a domain's security.txt is fetched from (a test serves it on loopback); default https://<domain>. */
  securityTxtOrigin: (domain: string) => string;
  /** Where RDAP and security.txt fetches may go: internal addresses are refused unless allowed (RENKEI_FETCH_ALLOW). */
  guard: FetchGuard;
}

export interface NetworkLookupOptions {
  online?: Partial<OnlineOptions>;
  /** Imported data older than this many days is given low confidence. */
  staleAfterDays?: number;
}

type Field<T> = { value: T | null; source: string | null; date: string | null; confidence: Confidence | null };
const none = <T>(): Field<T> => ({ value: null, source: null, date: null, confidence: null });
const field = <T>(value: T, source: string, date: string | Date, confidence: Confidence): Field<T> => ({
  value,
  source,
  date: typeof date === 'string' ? date : date.toISOString(),
  confidence,
});

// Which imported formats answer which question first, when ranges are equally specific (ASN) or always (country).
const ASN_ORDER = ['ip2asn', 'mmdb', 'rir'] as const;
const COUNTRY_ORDER = ['rir', 'ip2asn', 'mmdb'] as const;
// ccTLDs that are not the ISO code of their country, or name no country.
const TLD_COUNTRY: Record<string, string | null> = { uk: 'GB', eu: null, su: null, ac: null };

export interface NetworkLookupService {
  /** Answers "who can act on this?" for each item (IP, domain, URL; defanged forms too), in input order. */
  lookup(ctx: RequestContext, items: string[], options?: { online?: boolean; timeoutMs?: number }): Promise<LookupAnswer[]>;
  importIpData(ctx: RequestContext, filePath: string, options?: Omit<ImportOptions, 'importedBy'>): Promise<ImportSummary>;
  /** Stores IANA RDAP bootstrap files (dns.json, ipv4.json, ipv6.json, asn.json); the kind is read from each. */
  importRdapBootstrap(ctx: RequestContext, files: { fileName: string; text: string }[]): Promise<{ fileName: string; kind: RdapKind; services: number }[]>;
  listDatasets(ctx: RequestContext): Promise<Dataset[]>;
  /**
   * For bulk pipelines (feeds): one snapshot of the imported tables and the directory's networks that
   * answers per address with no query. Take one per batch or run, not per row.
   */
  bulkResolver(ctx: RequestContext): Promise<BulkResolver>;
}

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

/**
 * The network lookup: imported IP data held in memory as typed-array tables (reloaded when the set of
 * active datasets changes), the directory's own networks read per batch, and opt-in online sources.
 * @example const answers = await network.lookup(ctx, ['hxxp://198.51.100[.]7/x', 'example.jp']);
 */
export function createNetworkLookupService(db: Kysely<Schema>, options: NetworkLookupOptions = {}): NetworkLookupService {
  const online: OnlineOptions = {
    timeoutMs: 5000,
    maxBytes: 1024 * 1024,
    maxRedirects: 3,
    rdapCacheDays: 7,
    concurrency: 8,
    securityTxtOrigin: (domain) => `https://${domain}`,
    guard: { allow: NO_FETCH_ALLOW },
    ...options.online,
  };
  const staleAfterMs = (options.staleAfterDays ?? 180) * 86_400_000;
  const loaded = new Map<string, Promise<LoadedDataset>>();

  async function currentData(): Promise<LoadedDataset[]> {
    const datasets = await activeDatasets(db);
    const ids = new Set(datasets.map((d) => d.id));
    for (const id of loaded.keys()) if (!ids.has(id)) loaded.delete(id);
    return Promise.all(
      datasets.map((dataset) => {
        let promise = loaded.get(dataset.id);
        if (!promise) {
          promise = loadDataset(db, dataset);
          promise.catch(() => loaded.delete(dataset.id));
          loaded.set(dataset.id, promise);
        }
        return promise;
      }),
    );
  }

  const importedConfidence = (dataset: Dataset): Confidence => (Date.now() - new Date(dataset.date).getTime() > staleAfterMs ? 'low' : 'medium');
  const label = (dataset: Dataset) => `${dataset.format}:${dataset.fileName}`;

  function answerIp(indicator: Indicator & { kind: 'ip' }, data: LoadedDataset[], directory: DirectoryTables): Answer {
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
      answer.prefix = field(prefixHit.prefix, label(prefixHit.loaded.dataset), prefixHit.loaded.dataset.date, importedConfidence(prefixHit.loaded.dataset));
    if (asnHit) {
      const d = asnHit.loaded.dataset;
      answer.asn = field(asnHit.asn, label(d), d.date, importedConfidence(d));
      const named = [asnHit.loaded, ...data].find((l) => l.asns.get(asnHit.asn)?.name);
      if (named) answer.asName = field(named.asns.get(asnHit.asn)!.name!, label(named.dataset), named.dataset.date, importedConfidence(named.dataset));
    }
    if (countryHit)
      answer.country = field(
        countryHit.country!,
        label(countryHit.loaded.dataset),
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

  function applyDirectory(answer: Answer, network: DirectoryNetwork, confidence: Confidence): void {
    const source = network.kind === 'asn' ? `directory (AS${network.value})` : 'directory';
    answer.organisation = field({ id: network.organisationId, name: network.organisationName }, source, network.createdAt, confidence);
    if (network.abuseEmail) answer.abuseContact = field(network.abuseEmail, source, network.createdAt, confidence);
    else if (network.organisationEmail) answer.abuseContact = field(network.organisationEmail, `${source}: organisation contact`, network.createdAt, 'medium');
    if (network.organisationCountry && confidence === 'high') answer.country = field(network.organisationCountry, source, network.createdAt, 'high');
  }

  async function directoryTables(): Promise<DirectoryTables> {
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

  async function askRdap(
    online: OnlineOptions,
    keys: { key: string; url: string | null }[],
    bootstrapKind: string,
    at: () => string,
  ): Promise<Map<string, { summary: RdapSummary | null; status: OnlineEntry }>> {
    const out = new Map<string, { summary: RdapSummary | null; status: OnlineEntry }>();
    const cached = await cachedRdap(
      db,
      keys.map((k) => k.key),
      online.rdapCacheDays,
    );
    const limits: FetchLimits = {
      timeoutMs: online.timeoutMs,
      maxBytes: online.maxBytes,
      maxRedirects: online.maxRedirects,
      guard: online.guard,
      accept: 'application/rdap+json, application/json',
      userAgent: 'Renkei network lookup',
    };
    await inPool(keys, online.concurrency, async ({ key, url }) => {
      const hit = cached.get(key);
      if (hit) {
        const answer = hit.answer as { summary: RdapSummary | null };
        out.set(key, {
          summary: answer.summary,
          status: { source: `rdap:${hit.server}`, status: 'cached', detail: `fetched ${hit.fetchedAt.toISOString()}`, at: hit.fetchedAt.toISOString() },
        });
        return;
      }
      if (!url) {
        out.set(key, {
          summary: null,
          status: {
            source: 'rdap',
            status: 'not_configured',
            detail: `no RDAP server for this in the ${bootstrapKind} bootstrap (import it with renkei contacts import-rdap-bootstrap)`,
            at: at(),
          },
        });
        return;
      }
      const server = new URL(url).host;
      const result = await boundedGet(url, limits);
      const source = `rdap:${server}`;
      if (result.status !== 'answered') {
        out.set(key, { summary: null, status: { source, status: result.status, detail: result.detail, at: at() } });
        return;
      }
      if (result.statusCode === 404) {
        out.set(key, { summary: null, status: { source, status: 'no_record', detail: 'the server has no record (404)', at: at() } });
        await cacheRdap(db, key, server, { summary: null });
        return;
      }
      if (result.statusCode !== 200) {
        out.set(key, { summary: null, status: { source, status: 'failed', detail: `HTTP ${result.statusCode}`, at: at() } });
        return;
      }
      let summary: RdapSummary;
      try {
        summary = summariseRdap(JSON.parse(result.body.toString('utf8')));
      } catch (error) {
        out.set(key, {
          summary: null,
          status: { source, status: 'failed', detail: `unreadable answer: ${error instanceof Error ? error.message.slice(0, 200) : 'invalid JSON'}`, at: at() },
        });
        return;
      }
      await cacheRdap(db, key, server, { summary });
      out.set(key, { summary, status: { source, status: 'answered', detail: summary.abuseEmails.length ? null : 'no abuse contact in the record', at: at() } });
    });
    return out;
  }

  async function addOnline(online: OnlineOptions, answers: Answer[], indicators: Indicator[]): Promise<void> {
    const now = () => new Date().toISOString();
    const bootstraps = await rdapBootstraps(db);
    const keys = new Map<string, string | null>();
    indicators.forEach((indicator) => {
      if (indicator.kind === 'ip') {
        const doc = bootstraps.get(indicator.address.family === 4 ? 'ipv4' : 'ipv6') as Parameters<typeof rdapUrlForIp>[0] | undefined;
        keys.set(`ip:${indicator.normalized}`, doc ? rdapUrlForIp(doc, indicator.address) : null);
      } else if (indicator.kind === 'domain') {
        const doc = bootstraps.get('dns') as Parameters<typeof rdapUrlForDomain>[0] | undefined;
        keys.set(`domain:${indicator.normalized}`, doc ? rdapUrlForDomain(doc, indicator.normalized) : null);
      }
    });
    const [rdap, securityTxt] = await Promise.all([
      askRdap(
        online,
        [...keys].map(([key, url]) => ({ key, url })),
        'RDAP',
        now,
      ),
      fetchSecurityTxts(online, [...new Set(indicators.flatMap((i) => (i.kind === 'domain' ? [i.normalized] : [])))], now),
    ]);
    indicators.forEach((indicator, n) => {
      const answer = answers[n]!;
      if (indicator.kind === 'invalid') return;
      const result = rdap.get(`${indicator.kind}:${indicator.normalized}`);
      if (result) {
        answer.online.push(result.status);
        const s = result.summary;
        const server = result.status.source;
        if (s) {
          // The directory wins; RDAP fills what it left open. A domain's RDAP abuse address is its registrar's.
          if (!answer.abuseContact.value && s.abuseEmails[0])
            answer.abuseContact = field(s.abuseEmails[0], server, result.status.at, indicator.kind === 'ip' ? 'high' : 'medium');
          if (!answer.country.value && s.country) answer.country = field(s.country, server, result.status.at, 'medium');
          if (!answer.prefix.value && s.range && indicator.kind === 'ip') answer.prefix = field(s.range, server, result.status.at, 'medium');
          if (!answer.asName.value && s.name && indicator.kind === 'ip') answer.asName = field(s.name, `${server} (network name)`, result.status.at, 'low');
        }
      }
      if (indicator.kind === 'domain') {
        const txt = securityTxt.get(indicator.normalized);
        if (txt) {
          answer.online.push(txt.status);
          const mail = txt.contacts.find((c) => c.toLowerCase().startsWith('mailto:'));
          const contact = mail ? mail.slice(7) : txt.contacts[0];
          if (contact && answer.abuseContact.source !== 'directory')
            answer.abuseContact = field(contact, txt.status.source, txt.status.at, txt.expired ? 'medium' : 'high');
        }
      }
    });
  }

  async function fetchSecurityTxts(
    online: OnlineOptions,
    domains: string[],
    now: () => string,
  ): Promise<Map<string, { contacts: string[]; expired: boolean; status: OnlineEntry }>> {
    const out = new Map<string, { contacts: string[]; expired: boolean; status: OnlineEntry }>();
    const limits: FetchLimits = {
      timeoutMs: online.timeoutMs,
      maxBytes: Math.min(online.maxBytes, 64 * 1024),
      maxRedirects: online.maxRedirects,
      guard: online.guard,
      accept: 'text/plain',
      userAgent: 'Renkei network lookup',
    };
    await inPool(domains, online.concurrency, async (domain) => {
      const url = `${online.securityTxtOrigin(domain)}/.well-known/security.txt`;
      const source = `security.txt:${url}`;
      const result = await boundedGet(url, limits);
      if (result.status !== 'answered')
        return void out.set(domain, { contacts: [], expired: false, status: { source, status: result.status, detail: result.detail, at: now() } });
      if (result.statusCode === 404)
        return void out.set(domain, { contacts: [], expired: false, status: { source, status: 'no_record', detail: 'no security.txt (404)', at: now() } });
      if (result.statusCode !== 200)
        return void out.set(domain, { contacts: [], expired: false, status: { source, status: 'failed', detail: `HTTP ${result.statusCode}`, at: now() } });
      const parsed = parseSecurityTxt(result.body.toString('utf8'));
      const finalSource = `security.txt:${result.url}`;
      out.set(domain, {
        contacts: parsed.contacts,
        expired: parsed.expired,
        status: {
          source: finalSource,
          status: parsed.contacts.length ? 'answered' : 'no_record',
          detail: parsed.contacts.length ? (parsed.expired ? `expired ${parsed.expires}` : null) : 'no Contact line',
          at: now(),
        },
      });
    });
    return out;
  }

  return {
    async lookup(ctx, items, lookupOptions = {}) {
      // The answers draw on every directory entry, so only those who see all of it may ask (fail closed).
      if (networkPolicy.listScope(ctx.actor, 'lookup').kind !== 'all')
        throw new ForbiddenError('forbidden', 'Your role does not allow contacts.network: lookup');
      if (items.length > LOOKUP_MAX_ITEMS) throw new BadRequestError('too_many_items', `At most ${LOOKUP_MAX_ITEMS} items per lookup`);
      const indicators = items.map(parseIndicator);
      const [data, directory] = await Promise.all([currentData(), directoryTables()]);
      const answers = indicators.map((indicator): Answer => (indicator.kind === 'ip' ? answerIp(indicator, data, directory) : emptyAnswer(indicator)));

      // Domains: the directory's entry for the name or its nearest parent; else the ccTLD says little, with low confidence.
      const domainNames = [...new Set(indicators.flatMap((i) => (i.kind === 'domain' ? parentDomains(i.normalized) : [])))];
      const domainRows = await directoryByValues(db, 'domain', domainNames);
      indicators.forEach((indicator, n) => {
        if (indicator.kind !== 'domain') return;
        const answer = answers[n]!;
        const held = parentDomains(indicator.normalized)
          .map((name) => domainRows.find((row) => row.value === name))
          .find(Boolean);
        if (held) applyDirectory(answer, held, 'high');
        const tld = indicator.normalized.slice(indicator.normalized.lastIndexOf('.') + 1);
        const country = tld in TLD_COUNTRY ? TLD_COUNTRY[tld] : /^[a-z]{2}$/.test(tld) ? tld.toUpperCase() : null;
        if (!answer.country.value && country) answer.country = field(country, `tld:.${tld}`, new Date().toISOString().slice(0, 10), 'low');
      });

      // Addresses not inside a directory prefix: the organisation holding their ASN, if the directory lists it.
      const asns = [...new Set(answers.flatMap((a) => (a.asn.value !== null && a.organisation.value === null ? [String(a.asn.value)] : [])))];
      const asnRows = await directoryByValues(db, 'asn', asns);
      for (const answer of answers) {
        if (answer.asn.value === null || answer.organisation.value !== null) continue;
        const held = asnRows.find((row) => row.value === String(answer.asn.value));
        if (held) applyDirectory(answer, held, 'medium');
      }

      if (lookupOptions.online) await addOnline(lookupOptions.timeoutMs ? { ...online, timeoutMs: lookupOptions.timeoutMs } : online, answers, indicators);

      const countries = [...new Set(answers.flatMap((a) => (a.country.value ? [a.country.value] : [])))];
      const csirts = await nationalCsirts(db, countries);
      for (const answer of answers) {
        const csirt = csirts.find((c) => c.country === answer.country.value);
        if (csirt)
          answer.nationalCsirt = field(
            { id: csirt.id, name: csirt.name, email: csirt.email, country: csirt.country },
            `directory (national CSIRT of ${csirt.country}, by country from ${answer.country.source})`,
            csirt.updatedAt,
            answer.country.confidence ?? 'low',
          );
      }
      return answers;
    },

    async importIpData(ctx, filePath, importOptions = {}) {
      networkPolicy.authorize(ctx.actor, 'ipdata.import');
      const summary = await importIpData(db, filePath, {
        ...importOptions,
        importedBy: ctx.actor.kind === 'user' ? ctx.actor.email : ctx.actor.kind === 'system' ? ctx.actor.label : 'anonymous',
      });
      await db.transaction().execute((trx) =>
        recordAudit(trx, ctx, {
          action: 'ipdata.import',
          targetType: 'ipdata_dataset',
          targetId: summary.datasetId,
          before: summary.replaced ? { datasetId: summary.replaced.id, fileName: summary.replaced.fileName } : null,
          after: {
            format: summary.format,
            source: summary.source,
            fileName: summary.fileName,
            ipv4Ranges: summary.ipv4Ranges,
            ipv6Ranges: summary.ipv6Ranges,
            asns: summary.asns,
            rejectedLines: summary.rejectedCount,
          },
        }),
      );
      return summary;
    },

    async importRdapBootstrap(ctx, files) {
      networkPolicy.authorize(ctx.actor, 'ipdata.import');
      const read = files.map((file) => {
        try {
          return { file, ...readBootstrap(file.text) };
        } catch (error) {
          throw new BadRequestError('invalid_bootstrap', `${file.fileName}: ${error instanceof Error ? error.message : String(error)}`);
        }
      });
      for (const entry of read)
        await saveRdapBootstrap(db, { kind: entry.kind, document: entry.document, fileName: entry.file.fileName, publication: entry.publication });
      await db.transaction().execute((trx) =>
        recordAudit(trx, ctx, {
          action: 'rdap_bootstrap.import',
          targetType: 'rdap_bootstrap',
          targetId: null,
          after: read.map((r) => ({ kind: r.kind, fileName: r.file.fileName, publication: r.publication })),
        }),
      );
      return read.map((r) => ({ fileName: r.file.fileName, kind: r.kind, services: r.document.services.length }));
    },

    async listDatasets(ctx) {
      networkPolicy.authorize(ctx.actor, 'datasets.list');
      return activeDatasets(db);
    },

    async bulkResolver(ctx) {
      networkPolicy.authorize(ctx.actor, 'lookup');
      const [data, directory, asnNetworks] = await Promise.all([currentData(), directoryTables(), directoryAsns(db)]);
      // Same precedence as lookup(): ASN from the most specific range (routing data on ties), country
      // from registration data first, then the directory (longest prefix, else the ASN's holder).
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
    },
  };
}

type Answer = LookupAnswer;
type OnlineEntry = LookupAnswer['online'][number];

interface DirectoryTables {
  find(address: IpAddress): DirectoryNetwork | null;
}

function emptyAnswer(indicator: Indicator): Answer {
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

/** Runs `task` over the items with at most `limit` at once. */
async function inPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
