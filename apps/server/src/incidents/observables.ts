import { domainToUnicode } from 'node:url';
import type { ObservableKind } from '@renkei/contract';
import { parseIndicator, refang } from '../contacts/index.ts';

export interface ExtractedObservable {
  kind: ObservableKind;
  /** Normalised, for matching. */
  value: string;
  /** What a person reads (Unicode host for an IDN). */
  display: string;
  /** As found (possibly defanged), capped at 2048 characters. */
  original: string;
}

export interface Extraction {
  observables: ExtractedObservable[];
  /** Distinct observables found beyond `max` and not kept. */
  dropped: number;
  /** Items given explicitly that could not be read, with the reason. */
  invalid: { input: string; error: string }[];
}

/** Most observables one report keeps; the rest are counted in `dropped` and the reporter is told. */
export const MAX_OBSERVABLES_PER_REPORT = 5000;
const MAX_TEXT_SCANNED = 2_000_000;

const HASH_KINDS: Record<number, ObservableKind> = { 32: 'hash_md5', 40: 'hash_sha1', 64: 'hash_sha256' };

/**
 * Reads one item (an IP, domain, URL, e-mail address, hash or AS number; defanged forms too) into the
 * observables it names: a URL gives the URL and its host. Returns an error for anything else.
 * @example readItem('hxxps://例え.jp/login') // url https://xn--r8jz45g.jp/login + domain xn--r8jz45g.jp (display 例え.jp)
 */
export function readItem(raw: string): ExtractedObservable[] | { error: string } {
  const original = raw.slice(0, 2048);
  const text = raw.trim();
  if (/^[0-9a-f]+$/i.test(text) && HASH_KINDS[text.length])
    return [{ kind: HASH_KINDS[text.length]!, value: text.toLowerCase(), display: text.toLowerCase(), original }];
  const asn = /^AS ?(\d{1,10})$/i.exec(text);
  if (asn) {
    const number = Number(asn[1]);
    if (number > 4_294_967_295) return { error: 'AS number out of range' };
    return [{ kind: 'asn', value: String(number), display: `AS${number}`, original }];
  }
  const indicator = parseIndicator(text);
  if (indicator.kind === 'invalid') return { error: indicator.error };
  const out: ExtractedObservable[] = [];
  const host: ExtractedObservable =
    indicator.kind === 'ip'
      ? { kind: 'ip', value: indicator.normalized, display: indicator.normalized, original }
      : { kind: 'domain', value: indicator.normalized, display: indicator.display, original };
  if (indicator.url) {
    const url = new URL(indicator.url);
    const display =
      indicator.kind === 'domain' && indicator.display !== indicator.normalized
        ? indicator.url.replace(url.host, url.host.replace(indicator.normalized, indicator.display))
        : indicator.url;
    out.push({ kind: 'url', value: indicator.url.slice(0, 4096), display: display.slice(0, 4096), original });
  } else {
    const refanged = refang(text.replace(/^["'<(]+|["'>),;]+$/g, ''));
    const at = refanged.indexOf('@');
    if (at > 0 && indicator.kind === 'domain' && !refanged.includes('/')) {
      const local = refanged.slice(0, at);
      if (/^[^\s@<>()",;:\\[\]]{1,64}$/.test(local))
        out.push({ kind: 'email', value: `${local}@${indicator.normalized}`.toLowerCase(), display: `${local}@${indicator.display}`, original });
    }
  }
  out.push(host);
  return out;
}

// In free text, only what clearly looks like an indicator counts: "e.g." and "v1.2" must not become domains.
const CANDIDATE =
  /(?:[a-z][a-z0-9+.-]*(?:\[?:\]?|\(:\))\/\/|h(?:xx|\*\*)ps?\[?:\]?\/\/)\S+|[^\s<>"'()[\]{}]*(?:\[\.\]|\(\.\)|\[dot\]|\.)[^\s<>"'(){}]+|\b[0-9a-f]{32,64}\b|\bAS\d{1,10}\b/gi;

function plausibleHost(observable: ExtractedObservable): boolean {
  if (observable.kind !== 'domain') return true;
  const tld = observable.value.slice(observable.value.lastIndexOf('.') + 1);
  return /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(tld);
}

/**
 * Finds observables in free text (a form's description, a mail body) and in explicit items, de-duplicated
 * by (kind, value), keeping at most `max`. Untrusted input: any text may arrive here.
 * @example extractObservables('see hxxp://evil[.]example/x from 192.0.2.1').observables.map((o) => o.kind) // ['url', 'domain', 'ip']
 */
export function extractObservables(input: { text?: string; items?: readonly string[] }, max = MAX_OBSERVABLES_PER_REPORT): Extraction {
  const seen = new Map<string, ExtractedObservable>();
  let dropped = 0;
  const invalid: Extraction['invalid'] = [];
  const add = (observable: ExtractedObservable) => {
    const key = `${observable.kind}\u0000${observable.value}`;
    if (seen.has(key)) return;
    if (seen.size >= max) {
      dropped++;
      return;
    }
    seen.set(key, observable);
  };
  for (const item of input.items ?? []) {
    const result = readItem(item);
    if ('error' in result) invalid.push({ input: item.slice(0, 200), error: result.error });
    else result.forEach(add);
  }
  const text = (input.text ?? '').slice(0, MAX_TEXT_SCANNED);
  for (const match of text.matchAll(CANDIDATE)) {
    const token = match[0].replace(/[.,;:!?)\]>'"」』、。]+$/u, '');
    const result = readItem(token);
    if ('error' in result) continue;
    for (const observable of result) if (plausibleHost(observable)) add(observable);
  }
  return { observables: [...seen.values()], dropped, invalid };
}

/** The Unicode form of a punycode domain, for display. */
export const displayDomain = (domain: string): string => domainToUnicode(domain) || domain;
