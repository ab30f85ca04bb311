// "Is version V inside range R?" for the ranges vendors and finders write. Three orderings: semver (the
// `semver` package), Debian (dpkg's algorithm, written from Debian Policy §5.6.12) and plain dotted numbers.
// The answer is 'unknown' whenever the input does not parse under the chosen ordering: never a guess.
import semver from 'semver';

/** True, false, or 'unknown' when the version or the range could not be read. */
export type VersionMatch = boolean | 'unknown';

/** `auto` picks Debian for an epoch or a `~`, semver when both sides are semver, else dotted numbers. */
export type VersionScheme = 'auto' | 'semver' | 'debian' | 'generic';

export const MAX_VERSION_LENGTH = 256;
export const MAX_RANGE_LENGTH = 2048;

type Compare = (a: string, b: string) => number | undefined;

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

function isAsciiAlphanumeric(char: string): boolean {
  return isDigit(char) || (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z');
}

/** Two digit strings of any length compared as numbers, without overflow. */
function compareDigits(a: string, b: string): number {
  const left = a.replace(/^0+/, '');
  const right = b.replace(/^0+/, '');
  if (left.length !== right.length) return left.length - right.length;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** A Debian version split into its three parts. */
export interface DebianVersion {
  epoch: string;
  upstream: string;
  revision: string;
}

/**
 * Reads `[epoch:]upstream_version[-debian_revision]` (Debian Policy §5.6.12). The upstream version
 * must start with a digit and holds alphanumerics and `. + ~` (and `-` when a revision follows);
 * the revision holds alphanumerics and `. + ~`. Returns undefined for anything else.
 * @example parseDebianVersion('1:2.30-1~bpo11+1') // { epoch: '1', upstream: '2.30', revision: '1~bpo11+1' }
 */
export function parseDebianVersion(version: string): DebianVersion | undefined {
  if (typeof version !== 'string' || version.length === 0 || version.length > MAX_VERSION_LENGTH) return undefined;
  const colon = version.indexOf(':');
  const epoch = colon >= 0 ? version.slice(0, colon) : '0';
  if (epoch === '' || ![...epoch].every(isDigit)) return undefined;
  const rest = version.slice(colon + 1);
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '0';
  if (!isDigit(upstream[0]) || revision === '') return undefined;
  const upstreamOk = [...upstream].every((char) => isAsciiAlphanumeric(char) || '.+~-'.includes(char));
  const revisionOk = [...revision].every((char) => isAsciiAlphanumeric(char) || '.+~'.includes(char));
  return upstreamOk && revisionOk ? { epoch, upstream, revision } : undefined;
}

/** dpkg's weight of a non-digit character: `~` before the end, the end before letters, letters before the rest. */
function debianOrder(char: string | undefined): number {
  if (char === undefined || isDigit(char)) return 0;
  if (char === '~') return -1;
  const code = char.charCodeAt(0);
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return code;
  return code + 256;
}

/** The comparison of §5.6.12 on one part: non-digit runs by debianOrder, digit runs as numbers. */
function compareDebianPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const difference = debianOrder(a[i]) - debianOrder(b[j]);
      if (difference !== 0) return difference;
      i++;
      j++;
    }
    let endA = i;
    while (isDigit(a[endA])) endA++;
    let endB = j;
    while (isDigit(b[endB])) endB++;
    const difference = compareDigits(a.slice(i, endA), b.slice(j, endB));
    if (difference !== 0) return difference;
    i = endA;
    j = endB;
  }
  return 0;
}

/**
 * Orders two Debian versions as dpkg does: negative, zero or positive; undefined when either is not one.
 * @example compareDebianVersions('1.0~rc1', '1.0') // negative
 */
export function compareDebianVersions(a: string, b: string): number | undefined {
  const left = parseDebianVersion(a);
  const right = parseDebianVersion(b);
  if (!left || !right) return undefined;
  return compareDigits(left.epoch, right.epoch) || compareDebianPart(left.upstream, right.upstream) || compareDebianPart(left.revision, right.revision);
}

function dottedParts(version: string): string[] | undefined {
  const text = version.startsWith('v') || version.startsWith('V') ? version.slice(1) : version;
  if (text.length === 0 || text.length > MAX_VERSION_LENGTH) return undefined;
  const parts = text.split('.');
  return parts.every((part) => part.length > 0 && [...part].every(isDigit)) ? parts : undefined;
}

/**
 * Orders two dotted-numeric versions (`2.4.10`, `v1.2`); missing parts count as 0, so `1.0` equals `1.0.0`.
 * Undefined when either has anything but digits and dots.
 * @example compareDottedVersions('2.4.10', '2.4.9') // positive
 */
export function compareDottedVersions(a: string, b: string): number | undefined {
  const left = dottedParts(a);
  const right = dottedParts(b);
  if (!left || !right) return undefined;
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = compareDigits(left[index] ?? '0', right[index] ?? '0');
    if (difference !== 0) return difference;
  }
  return 0;
}

const compareSemver: Compare = (a, b) => {
  const left = semver.valid(a);
  const right = semver.valid(b);
  return left && right ? semver.compare(left, right) : undefined;
};

type Operator = '<' | '<=' | '>' | '>=' | '=' | '!=';
interface Comparator {
  operator: Operator;
  version: string;
}

// Debian's own `<<` and `>>` read as `<` and `>`.
const OPERATORS: readonly (readonly [string, Operator])[] = [
  ['>=', '>='],
  ['<=', '<='],
  ['<<', '<'],
  ['>>', '>'],
  ['==', '='],
  ['!=', '!='],
  ['>', '>'],
  ['<', '<'],
  ['=', '='],
];

/** Splits one alternative into comparators; `A - B` is `>=A <=B`. Undefined when it does not read. */
function parseConjunction(text: string): Comparator[] | undefined {
  const tokens = text.split(/[\s,]+/).filter((token) => token !== '');
  const comparators: Comparator[] = [];
  for (let index = 0; index < tokens.length; index++) {
    let token = tokens[index] ?? '';
    if (tokens[index + 1] === '-' && tokens[index + 2] !== undefined) {
      comparators.push({ operator: '>=', version: token }, { operator: '<=', version: tokens[index + 2] ?? '' });
      index += 2;
      continue;
    }
    const operator = OPERATORS.find(([spelling]) => token.startsWith(spelling));
    if (operator) {
      token = token.slice(operator[0].length) || (tokens[++index] ?? '');
      if (token === '' || OPERATORS.some(([spelling]) => token.startsWith(spelling))) return undefined;
    }
    comparators.push({ operator: operator?.[1] ?? '=', version: token });
  }
  return comparators.length > 0 ? comparators : undefined;
}

/**
 * The simple list form: alternatives split by `||`; inside one, comparators joined by spaces or commas
 * must all hold. A comma list of bare versions (`1.2.3, 1.2.4`) is a list of alternatives instead;
 * commas mixing bare versions and operators are ambiguous and do not read.
 */
function parseSimpleRange(range: string): Comparator[][] | undefined {
  const alternatives: Comparator[][] = [];
  for (const alternative of range.split('||')) {
    const pieces = alternative.split(',').map((piece) => piece.trim());
    const bare = pieces.map((piece) => piece !== '' && !/[\s<>=!]/.test(piece));
    if (pieces.length > 1 && bare.every(Boolean)) {
      for (const piece of pieces) alternatives.push([{ operator: '=', version: piece }]);
      continue;
    }
    if (pieces.length > 1 && bare.some(Boolean)) return undefined;
    const conjunction = parseConjunction(alternative);
    if (!conjunction) return undefined;
    alternatives.push(conjunction);
  }
  return alternatives;
}

function holds(operator: Operator, difference: number): boolean {
  switch (operator) {
    case '<':
      return difference < 0;
    case '<=':
      return difference <= 0;
    case '>':
      return difference > 0;
    case '>=':
      return difference >= 0;
    case '=':
      return difference === 0;
    case '!=':
      return difference !== 0;
  }
}

function evaluate(version: string, alternatives: Comparator[][], compare: Compare): VersionMatch {
  let result = false;
  for (const conjunction of alternatives) {
    let all = true;
    for (const { operator, version: bound } of conjunction) {
      const difference = compare(version, bound);
      if (difference === undefined) return 'unknown';
      if (!holds(operator, difference)) all = false;
    }
    if (all) result = true;
  }
  return result;
}

function looksDebian(version: string): boolean {
  const colon = version.indexOf(':');
  return version.includes('~') || (colon > 0 && [...version.slice(0, colon)].every(isDigit));
}

const ALL_VERSIONS = new Set(['*', 'all', 'any', 'x']);

/**
 * Whether `version` lies inside `range`. Ranges: `all`/`*`, semver ranges (`^1.2`, `~1.2.3`, `1.x`,
 * `>=1.0 <1.5 || 2.0.0`), the simple list form (`<2.4.1`, `>=1.0 <1.5`, `>=1.0,<1.5`, `1.2.3`,
 * `1.2.3, 1.2.4`, `1.0 - 1.4`) over Debian or dotted-numeric versions. Semver comparisons include
 * pre-releases (`1.0.0-rc1` is inside `<1.0.0`). 'unknown' when either side does not read.
 * @example versionInRange('1.0~rc1', '<1.0') // true
 * @example versionInRange('2.4.1', '>=1.0 <2.4.1') // false
 * @example versionInRange('banana', '<2') // 'unknown'
 */
export function versionInRange(version: string, range: string, scheme: VersionScheme = 'auto'): VersionMatch {
  if (typeof version !== 'string' || typeof range !== 'string') return 'unknown';
  const v = version.trim();
  const r = range.trim();
  if (v === '' || r === '' || v.length > MAX_VERSION_LENGTH || r.length > MAX_RANGE_LENGTH) return 'unknown';
  if (ALL_VERSIONS.has(r.toLowerCase())) return true;
  const debian = scheme === 'debian' || (scheme === 'auto' && looksDebian(v));
  if (!debian && scheme !== 'generic' && semver.valid(v)) {
    const semverRange = semver.validRange(r);
    if (semverRange) return semver.satisfies(v, semverRange, { includePrerelease: true });
  }
  const alternatives = parseSimpleRange(r);
  if (!alternatives) return 'unknown';
  const compare: Compare = debian
    ? compareDebianVersions
    : scheme === 'semver'
      ? compareSemver
      : scheme === 'generic'
        ? compareDottedVersions
        : (a, b) => compareSemver(a, b) ?? compareDottedVersions(a, b);
  return evaluate(v, alternatives, compare);
}
