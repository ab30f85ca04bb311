// Names and keywords made comparable: NFKC (full-width Latin → ASCII, half-width kana → full-width),
// lower case, punctuation and symbols to spaces. Japanese text has no spaces between words, so it is
// compared as a string (whole or substring), Latin text as whole words.

/** A name or keyword ready to compare. `compact` has no spaces; `japanese` when it holds kana or kanji. */
export interface NormalisedText {
  readonly original: string;
  readonly tokens: readonly string[];
  readonly compact: string;
  /** The tokens joined by single spaces, with a space at each end, for whole-word containment. */
  readonly spaced: string;
  readonly japanese: boolean;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const NOT_ASCII_ALPHANUMERIC = /[^a-z0-9]+/g;
const PUNCTUATION_AND_SPACE = /[\p{P}\p{S}\p{Z}\p{Cc}\p{Cf}\s]+/gu;
const JAPANESE = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;

/**
 * @example normaliseText('ＡＣＭＥ Router-OS').tokens // ['acme', 'router', 'os']
 */
export function normaliseText(text: string): NormalisedText {
  // Printable ASCII is already NFKC and holds no Japanese: the cheap path for most registry names.
  const ascii = PRINTABLE_ASCII.test(text);
  const folded = ascii ? text.toLowerCase().replace(NOT_ASCII_ALPHANUMERIC, ' ') : text.normalize('NFKC').toLowerCase().replace(PUNCTUATION_AND_SPACE, ' ');
  const trimmed = folded.trim();
  const tokens = trimmed === '' ? [] : trimmed.split(' ');
  return {
    original: text,
    tokens,
    compact: tokens.join(''),
    spaced: ` ${trimmed} `,
    japanese: !ascii && JAPANESE.test(trimmed),
  };
}

/** How name a relates to name b: the same after normalisation, inside it, around it, or not at all. */
export type NameRelation = 'exact' | 'within' | 'contains' | 'none';

/** Shortest name that may count as contained in another: "OS" inside every product name says nothing. */
const MIN_CONTAINED_LATIN = 3;
const MIN_CONTAINED_JAPANESE = 2;

function containsWords(outer: NormalisedText, inner: NormalisedText): boolean {
  if (inner.compact.length < MIN_CONTAINED_LATIN || inner.tokens.length > outer.tokens.length) return false;
  return outer.spaced.includes(inner.spaced);
}

function containsJapanese(outer: NormalisedText, inner: NormalisedText): boolean {
  return inner.compact.length >= MIN_CONTAINED_JAPANESE && outer.compact.includes(inner.compact);
}

/**
 * Compares two normalised names: `exact` when equal without spaces ("Router-OS" = "RouterOS"),
 * `within` when a is a run of whole words of b (for Japanese, a substring), `contains` the other way.
 * @example compareNames(normaliseText('Router OS'), normaliseText('ACME Router OS 2')) // 'within'
 */
export function compareNames(a: NormalisedText, b: NormalisedText): NameRelation {
  if (a.compact === '' || b.compact === '') return 'none';
  if (a.compact === b.compact) return 'exact';
  const within = a.japanese || b.japanese ? containsJapanese : containsWords;
  return within(b, a) ? 'within' : within(a, b) ? 'contains' : 'none';
}

/** A text searched for many keywords: a word set for Latin keywords, bigrams to skip most Japanese searches. */
export interface TextIndex {
  readonly words: ReadonlySet<string>;
  readonly spaced: string;
  readonly compact: string;
  bigrams: Set<string> | undefined;
}

/** @example keywordIn(indexText('SSL-VPN の脆弱性'), normaliseText('脆弱性')) // true */
export function indexText(text: string): TextIndex {
  const normalised = normaliseText(text);
  return {
    words: new Set(normalised.tokens),
    spaced: normalised.spaced,
    compact: normalised.compact,
    bigrams: undefined,
  };
}

function bigramsOf(index: TextIndex): Set<string> {
  if (!index.bigrams) {
    index.bigrams = new Set();
    for (let at = 0; at + 2 <= index.compact.length; at++) index.bigrams.add(index.compact.slice(at, at + 2));
  }
  return index.bigrams;
}

/** Whether a keyword occurs in the text: whole words for Latin, a substring for Japanese. */
export function keywordIn(index: TextIndex, keyword: NormalisedText): boolean {
  if (keyword.compact.length < 2) return false;
  if (!keyword.japanese) {
    const [first] = keyword.tokens;
    if (first === undefined || !index.words.has(first)) return false;
    return keyword.tokens.length === 1 || index.spaced.includes(keyword.spaced);
  }
  const bigrams = bigramsOf(index);
  for (let at = 0; at + 2 <= keyword.compact.length; at += 2) {
    if (!bigrams.has(keyword.compact.slice(at, at + 2))) return false;
  }
  return index.compact.includes(keyword.compact);
}
