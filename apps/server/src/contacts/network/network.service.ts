import type { Kysely } from 'kysely';
import { type Confidence, LOOKUP_MAX_ITEMS, type LookupAnswer } from '@renkei/contract';
import { recordAudit } from '../../audit/index.ts';
import type { Schema } from '../../db/schema/index.ts';
import { BadRequestError, ForbiddenError } from '../../kernel/errors.ts';
import { NO_FETCH_ALLOW } from '../../kernel/fetch-guard.ts';
import type { RequestContext } from '../../policy/actor.ts';
import { type BulkResolver, bulkResolverOver } from './bulk-resolver.ts';
import { parentDomains, parseIndicator } from './indicator.ts';
import { type ImportOptions, type ImportSummary, importIpData } from './ipdata-import.ts';
import { type Answer, TLD_COUNTRY, answerIp, applyDirectory, directoryTables, emptyAnswer, field } from './lookup-answers.ts';
import { networkPolicy } from './network.policy.ts';
import {
  type Dataset,
  type LoadedDataset,
  activeDatasets,
  directoryAsns,
  directoryByValues,
  loadDataset,
  nationalCsirts,
  saveRdapBootstrap,
} from './network.repository.ts';
import { type OnlineOptions, addOnline } from './online-sources.ts';
import { type RdapKind, readBootstrap } from './rdap.ts';

export type { BulkAnswer, BulkResolver } from './bulk-resolver.ts';
export type { OnlineOptions } from './online-sources.ts';

export interface NetworkLookupOptions {
  online?: Partial<OnlineOptions>;
  /** Imported data older than this many days is given low confidence. */
  staleAfterDays?: number;
}

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

  return {
    async lookup(ctx, items, lookupOptions = {}) {
      // The answers draw on every directory entry, so only those who see all of it may ask (fail closed).
      if (networkPolicy.listScope(ctx.actor, 'lookup').kind !== 'all')
        throw new ForbiddenError('forbidden', 'Your role does not allow contacts.network: lookup');
      if (items.length > LOOKUP_MAX_ITEMS) throw new BadRequestError('too_many_items', `At most ${LOOKUP_MAX_ITEMS} items per lookup`);
      const indicators = items.map(parseIndicator);
      const [data, directory] = await Promise.all([currentData(), directoryTables(db)]);
      const answers = indicators.map((indicator): Answer =>
        indicator.kind === 'ip' ? answerIp(indicator, data, directory, importedConfidence) : emptyAnswer(indicator),
      );

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

      if (lookupOptions.online) await addOnline(db, lookupOptions.timeoutMs ? { ...online, timeoutMs: lookupOptions.timeoutMs } : online, answers, indicators);

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
      const [data, directory, asnNetworks] = await Promise.all([currentData(), directoryTables(db), directoryAsns(db)]);
      // Same precedence as lookup(): ASN from the most specific range (routing data on ties), country
      // from registration data first, then the directory (longest prefix, else the ASN's holder).
      return bulkResolverOver(data, directory, asnNetworks);
    },
  };
}
