/**
 * The one TLP 2.0 rule (FIRST, https://www.first.org/tlp/): the levels in order, their labels, and who may
 * receive what. Everything else (mail, feeds, coordinations, exports, the web app's badges) asks this module;
 * the SQL form of `mayReceive` is `apps/server/src/kernel/tlp.ts`.
 */

/** TLP 2.0 levels from least to most restricted, as they are stored (`tlp`, `tlp_ceiling` columns). */
export const TLP_LEVELS = ['clear', 'green', 'amber', 'amber+strict', 'red'] as const;
export type TlpLevel = (typeof TLP_LEVELS)[number];

/** The labels, written as FIRST writes them: capitals, no spaces, never translated; same order as the levels. */
export const TLP_LABELS = ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'] as const;
export type TlpLabel = (typeof TLP_LABELS)[number];

/** The colour FIRST gives each label (text colour on a black background). AMBER+STRICT shares AMBER's. */
export const TLP_COLOURS: Readonly<Record<TlpLevel, string>> = {
  clear: '#FFFFFF',
  green: '#33FF00',
  amber: '#FFC000',
  'amber+strict': '#FFC000',
  red: '#FF2B2B',
};

/** True when the value is a stored TLP level. @example isTlpLevel('amber+strict') // true */
export function isTlpLevel(value: unknown): value is TlpLevel {
  return typeof value === 'string' && (TLP_LEVELS as readonly string[]).includes(value);
}

/** True when the value is a TLP 2.0 label exactly as written. @example isTlpLabel('TLP:AMBER') // true */
export function isTlpLabel(value: unknown): value is TlpLabel {
  return typeof value === 'string' && (TLP_LABELS as readonly string[]).includes(value);
}

/** 0 (CLEAR) to 4 (RED). @example tlpRank('amber') // 2 */
export function tlpRank(level: TlpLevel): number {
  return TLP_LEVELS.indexOf(level);
}

/** The label a level is written as. @example tlpLabel('amber+strict') // 'TLP:AMBER+STRICT' */
export function tlpLabel(level: TlpLevel): TlpLabel {
  return TLP_LABELS[tlpRank(level)]!;
}

/**
 * The level of a label, strict: exactly as FIRST writes it. Anything else (WHITE, `TLP: RED`, lower case,
 * labels of other schemes) gives null; use `parseTlp` for input read from people and other tools.
 * @example tlpLevelOfLabel('TLP:AMBER+STRICT') // 'amber+strict'
 */
export function tlpLevelOfLabel(label: string): TlpLevel | null {
  const index = (TLP_LABELS as readonly string[]).indexOf(label);
  return index < 0 ? null : TLP_LEVELS[index]!;
}

/**
 * Reads a TLP from untrusted input, leniently: a level (`amber`), a label in any case (`tlp:amber`), and
 * TLP 1.0's WHITE as CLEAR. AMBER and AMBER+STRICT are told apart by the whole word. Unknown values give null.
 * @example parseTlp('TLP:WHITE') // 'clear'
 */
export function parseTlp(input: string): TlpLevel | null {
  const word = input.trim().toLowerCase().replace(/^tlp:/, '');
  if (word === 'white') return 'clear';
  return isTlpLevel(word) ? word : null;
}

/**
 * The rule itself: a recipient whose ceiling is `ceiling` may receive information at `level` when the level
 * is not more restricted than the ceiling.
 * @example mayReceive('green', 'amber') // true; mayReceive('red', 'amber+strict') // false
 */
export function mayReceive(level: TlpLevel, ceiling: TlpLevel): boolean {
  return tlpRank(level) <= tlpRank(ceiling);
}

/** The more restricted of two levels (what a mix of both must be labelled). @example stricterTlp('green', 'amber') // 'amber' */
export function stricterTlp(a: TlpLevel, b: TlpLevel): TlpLevel {
  return tlpRank(a) >= tlpRank(b) ? a : b;
}
