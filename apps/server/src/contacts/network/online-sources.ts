// The opt-in online sources of a lookup: RDAP through the IANA bootstrap (answers cached) and security.txt.
import type { Kysely } from 'kysely';
import type { Schema } from '../../db/schema/index.ts';
import { type FetchLimits, boundedGet } from '../../kernel/bounded-fetch.ts';
import type { FetchGuard } from '../../kernel/fetch-guard.ts';
import type { Indicator } from './indicator.ts';
import { type Answer, type OnlineEntry, field } from './lookup-answers.ts';
import { cacheRdap, cachedRdap, rdapBootstraps } from './network.repository.ts';
import { type RdapSummary, rdapUrlForDomain, rdapUrlForIp, summariseRdap } from './rdap.ts';
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

async function askRdap(
  db: Kysely<Schema>,
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

/** Asks RDAP (cached) and each domain's security.txt, filling only what the directory left open. */
export async function addOnline(db: Kysely<Schema>, online: OnlineOptions, answers: Answer[], indicators: Indicator[]): Promise<void> {
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
      db,
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

/** Runs `task` over the items with at most `limit` at once. */
async function inPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
