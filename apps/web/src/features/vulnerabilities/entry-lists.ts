/**
 * The registry form's lists (CPE names and package URLs one a line, keywords by line or comma) read from
 * what a person typed or pasted: trimmed, blank lines dropped, repeats kept once, and the contract's
 * limits checked before anything is sent (the server checks each entry again and names a bad one).
 */
export interface EntryLimits {
  maxItems: number;
  maxLength: number;
  /** Commas (and the Japanese 、) separate entries too: keywords, never CPE names (commas are legal in them). */
  commas?: boolean;
}

export type EntryList = { ok: true; entries: string[] } | { ok: false; problem: 'too_many'; count: number } | { ok: false; problem: 'too_long'; entry: string };

/** Reading stops after this many characters: a pasted megabyte is refused, not split. */
const MAX_INPUT = 1_000_000;

/**
 * @example readEntries('cpe:2.3:a:acme:router:*:*:*:*:*:*:*:*\n\n', { maxItems: 200, maxLength: 1024 }) // { ok: true, entries: ['cpe:2.3:a:acme:router:*:*:*:*:*:*:*:*'] }
 */
export function readEntries(text: string, limits: EntryLimits): EntryList {
  if (text.length > MAX_INPUT) return { ok: false, problem: 'too_many', count: Math.ceil(text.length / Math.max(1, limits.maxLength)) };
  const separator = limits.commas ? /[\r\n,、，]+/ : /[\r\n]+/;
  const entries = [...new Set(text.split(separator).map((entry) => entry.trim()))].filter((entry) => entry !== '');
  const long = entries.find((entry) => entry.length > limits.maxLength);
  if (long !== undefined) return { ok: false, problem: 'too_long', entry: long.slice(0, 60) };
  if (entries.length > limits.maxItems) return { ok: false, problem: 'too_many', count: entries.length };
  return { ok: true, entries };
}

/** The contract's limits for each list of a product (CreateVendorProductRequest). */
export const PRODUCT_LIMITS = {
  aliases: { maxItems: 50, maxLength: 300 },
  cpes: { maxItems: 200, maxLength: 1024 },
  purls: { maxItems: 200, maxLength: 4096 },
  keywords: { maxItems: 100, maxLength: 100, commas: true },
} as const satisfies Record<string, EntryLimits>;
