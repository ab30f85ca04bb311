import { weaknesses } from '@secvisogram/csaf-validator-lib/cwe.js';
import { BadRequestError } from '../../kernel/errors.ts';

/** A CWE id that is not one: malformed, or a search that cannot be run. */
export class CweError extends BadRequestError {
  constructor(code: 'invalid_cwe_id' | 'invalid_cwe_query', message: string) {
    super(code, message);
  }
}

export interface CweEntry {
  /** `CWE-79`, or one of the two NVD pseudo-ids. */
  id: string;
  /** English name from the bundled catalogue (no Japanese names exist upstream). */
  name: string;
}

/** The NVD pseudo-entries JVN uses when no single weakness fits; spelled as NVD spells them. */
export const CWE_PSEUDO_ENTRIES: readonly CweEntry[] = [
  { id: 'NVD-CWE-Other', name: 'Other' },
  { id: 'NVD-CWE-noinfo', name: 'Insufficient Information' },
];

// Longer than any real CWE number (they are at most 4 digits today) but short enough that no id
// parses into an unsafe integer.
const MAX_CWE_DIGITS = 7;
const MAX_QUERY_LENGTH = 200;
const MAX_LIMIT = 100;

const pseudoById = new Map(CWE_PSEUDO_ENTRIES.map((entry) => [entry.id.toLowerCase(), entry]));
const byNumber = new Map<number, CweEntry>();
for (const { id, name } of weaknesses) {
  const number = Number(id.slice('CWE-'.length));
  if (id.startsWith('CWE-') && Number.isSafeInteger(number)) byNumber.set(number, { id, name });
}
// Sorted once by number so a prefix search reads in the order people expect (CWE-7, CWE-74, CWE-79…).
const catalogue: readonly CweEntry[] = [...[...byNumber.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry), ...CWE_PSEUDO_ENTRIES];
const lowerNames = new Map(catalogue.map((entry) => [entry, entry.name.toLowerCase()]));

/** How many entries the bundled catalogue holds (the CWE list plus the two pseudo-entries). */
export const CWE_CATALOGUE_SIZE = catalogue.length;

/**
 * The canonical spelling of a CWE id, known or not (the bundled list lags behind MITRE's): `CWE-79`,
 * `cwe-79`, `CWE-079` and `79` all give `CWE-79`; the pseudo-ids are matched case-insensitively.
 * @example normaliseCweId(' cwe-79 ') // 'CWE-79'
 * @throws CweError when the input is not a CWE id
 */
export function normaliseCweId(input: string | number): string {
  const text = typeof input === 'number' ? String(input) : typeof input === 'string' ? input.trim() : '';
  if (text.length > 32) throw new CweError('invalid_cwe_id', 'A CWE id is at most 32 characters');
  const pseudo = pseudoById.get(text.toLowerCase());
  if (pseudo) return pseudo.id;
  const match = /^(?:CWE-)?(\d+)$/i.exec(text);
  const digits = match?.[1]?.replace(/^0+(?=\d)/, '');
  if (!digits || digits.length > MAX_CWE_DIGITS) {
    throw new CweError('invalid_cwe_id', `Not a CWE id: ${JSON.stringify(text.slice(0, 32))} (expected CWE-79, 79, NVD-CWE-Other or NVD-CWE-noinfo)`);
  }
  return `CWE-${digits}`;
}

function lookup(id: string | number): CweEntry | null {
  let canonical: string;
  try {
    canonical = normaliseCweId(id);
  } catch (error) {
    if (error instanceof CweError) return null;
    throw error;
  }
  const pseudo = pseudoById.get(canonical.toLowerCase());
  if (pseudo) return pseudo;
  return byNumber.get(Number(canonical.slice('CWE-'.length))) ?? null;
}

/**
 * The English name of a CWE id, or null when the id is malformed or not in the bundled catalogue.
 * @example cweName('79') // "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')"
 */
export function cweName(id: string | number): string | null {
  return lookup(id)?.name ?? null;
}

/**
 * Whether the id is in the bundled catalogue (the pseudo-ids count); false for malformed input.
 * @example isKnownCwe('CWE-79') // true
 */
export function isKnownCwe(id: string | number): boolean {
  return lookup(id) !== null;
}

/**
 * Catalogue entries matching a query, best first. Digits (`79`, `CWE-7`) match ids by number prefix,
 * the exact id first; words match names case-insensitively, every word somewhere in the name, names
 * containing the whole query first. An empty query matches nothing.
 * @example searchCwe('cross-site', 5)[0]?.id // 'CWE-79'
 * @throws CweError when the query is over 200 characters
 */
export function searchCwe(query: string, limit = 20): CweEntry[] {
  if (typeof query !== 'string') throw new CweError('invalid_cwe_query', 'The query must be text');
  if (query.length > MAX_QUERY_LENGTH) throw new CweError('invalid_cwe_query', `The query is over ${MAX_QUERY_LENGTH} characters`);
  const max = Number.isFinite(limit) ? Math.min(Math.max(Math.trunc(limit), 1), MAX_LIMIT) : 20;
  const text = query.trim().toLowerCase();
  if (text === '') return [];
  const number = /^(?:cwe-?)?(\d{1,7})$/.exec(text)?.[1];
  return number === undefined ? searchByWords(text, max) : searchByNumber(number.replace(/^0+(?=\d)/, ''), max);
}

function searchByNumber(digits: string, max: number): CweEntry[] {
  const exact = byNumber.get(Number(digits));
  const rest = catalogue.filter((entry) => entry !== exact && entry.id.startsWith(`CWE-${digits}`));
  return (exact ? [exact, ...rest] : rest).slice(0, max);
}

function searchByWords(text: string, max: number): CweEntry[] {
  const words = text.split(/[^\p{L}\p{N}]+/u).filter((word) => word !== '');
  if (words.length === 0) return [];
  const exactId = pseudoById.get(text);
  const phrase: CweEntry[] = [];
  const allWords: CweEntry[] = [];
  for (const entry of catalogue) {
    if (entry === exactId) continue;
    const name = lowerNames.get(entry) ?? '';
    if (name.includes(text)) phrase.push(entry);
    else if (words.every((word) => name.includes(word))) allWords.push(entry);
  }
  return [...(exactId ? [exactId] : []), ...phrase, ...allWords].slice(0, max);
}
