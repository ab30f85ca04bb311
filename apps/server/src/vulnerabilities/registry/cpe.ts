// CPE names: the 2.3 formatted-string binding (NISTIR 7695 §6.2) and the 2.2 URI binding (§6.1), both
// unbound into one well-formed-name shape, and the name-matching relations of NISTIR 7696 §6.
// No regular expressions: every step is one linear pass over at most MAX_CPE_LENGTH characters.
import { BadRequestError } from '../../kernel/errors.ts';

/** Longest CPE accepted; NVD's dictionary stays far below it. */
export const MAX_CPE_LENGTH = 1024;

/** A malformed CPE name, with what is wrong and where. */
export class CpeError extends BadRequestError {
  constructor(message: string) {
    super('invalid_cpe', message);
  }
}

/** `*` at one end of a value: any run of characters, including none. */
export const STAR = -1;

/**
 * One attribute of a well-formed name. `text` is the literal middle, unescaped and lower-cased; `head`
 * and `tail` are the unquoted wildcards at its ends: 0 none, STAR for `*`, n > 0 for n `?`.
 */
export type CpeValue =
  { readonly kind: 'any' } | { readonly kind: 'na' } | { readonly kind: 'value'; readonly text: string; readonly head: number; readonly tail: number };

export const CPE_ATTRIBUTES = ['part', 'vendor', 'product', 'version', 'update', 'edition', 'language', 'swEdition', 'targetSw', 'targetHw', 'other'] as const;
export type CpeAttribute = (typeof CPE_ATTRIBUTES)[number];

/** A well-formed CPE name (WFN): every attribute present, ANY where the binding left it out. */
export type Cpe = { readonly [K in CpeAttribute]: CpeValue };

const ANY: CpeValue = { kind: 'any' };
const NA: CpeValue = { kind: 'na' };

function isAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isPrintableAscii(code: number): boolean {
  return code > 0x20 && code < 0x7f;
}

function describe(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  return isPrintableAscii(code) ? `'${char}'` : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Wildcards at the ends of an unbound value, checked against the rules of NISTIR 7695 §5.3.2. */
function valueWithWildcards(text: string, head: number, tail: number, where: string): CpeValue {
  if (text === '' && head !== 0 && tail !== 0) {
    throw new CpeError(`${where}: a value of wildcards only must be one '*' or a run of '?'`);
  }
  if (text === '' && head === STAR) return ANY; // a lone unquoted `*` is ANY
  return { kind: 'value', text, head, tail };
}

/** Printable ASCII without `\`, `*` or `?`: the common component, taken as it is. */
function isPlain(raw: string): boolean {
  for (let index = 0; index < raw.length; index++) {
    const code = raw.charCodeAt(index);
    if (!isPrintableAscii(code) || code === 0x5c || code === 0x2a || code === 0x3f) return false;
  }
  return true;
}

/**
 * One component of the formatted string, unbound. `raw` has no unescaped `:`. Unquoted `*` and `?` are
 * wildcards only at the ends; any other printable character may stand unquoted, as the unbinding of
 * §6.2.3 quotes it (a strict producer escapes every punctuation mark but `-`, `.` and `_`).
 */
function unbindFormattedValue(raw: string, where: string): CpeValue {
  if (raw === '*') return ANY;
  if (raw === '-') return NA;
  if (raw === '') throw new CpeError(`${where}: empty component (write '*' for ANY)`);
  if (isPlain(raw)) return { kind: 'value', text: raw.toLowerCase(), head: 0, tail: 0 };
  let head = 0;
  let tail = 0;
  let text = '';
  let index = 0;
  if (raw[0] === '*') {
    head = STAR;
    index = 1;
  } else {
    while (raw[index] === '?') index++;
    head = index;
  }
  let sawLiteral = false;
  for (; index < raw.length; index++) {
    const char = raw.charAt(index);
    if (tail !== 0 && char !== '?') throw new CpeError(`${where}: a wildcard may only stand at either end`);
    if (char === '\\') {
      const next = raw.charAt(index + 1);
      if (next === '') throw new CpeError(`${where}: a lone '\\' ends the component`);
      const code = next.charCodeAt(0);
      if (!isPrintableAscii(code) || isAlphanumeric(code)) {
        throw new CpeError(`${where}: '\\' may only quote a punctuation mark, not ${describe(next)}`);
      }
      text += next;
      index++;
      sawLiteral = true;
    } else if (char === '*') {
      if (index !== raw.length - 1 || tail !== 0) {
        throw new CpeError(`${where}: an unquoted '*' may only stand at either end (escape it as '\\*')`);
      }
      tail = STAR;
    } else if (char === '?') {
      if (!sawLiteral) throw new CpeError(`${where}: an unquoted '?' may only stand at either end`);
      tail++;
    } else {
      const code = char.charCodeAt(0);
      if (!isPrintableAscii(code)) throw new CpeError(`${where}: ${describe(char)} is not allowed in a CPE name`);
      text += char.toLowerCase();
      sawLiteral = true;
    }
  }
  return valueWithWildcards(text, head, tail, where);
}

/** Splits on unescaped `:`; a `\` always takes the next character with it. */
function splitFormatted(body: string): string[] {
  if (!body.includes('\\')) return body.split(':');
  const parts: string[] = [];
  let start = 0;
  for (let index = 0; index < body.length; index++) {
    const char = body[index];
    if (char === '\\') index++;
    else if (char === ':') {
      parts.push(body.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

function checkPart(part: CpeValue, where: string): CpeValue {
  if (part.kind === 'any') return part;
  if (part.kind === 'value' && part.head === 0 && part.tail === 0 && ['a', 'o', 'h'].includes(part.text)) return part;
  throw new CpeError(`${where}: part must be 'a', 'o', 'h' or '*'`);
}

function fromValues(values: readonly CpeValue[]): Cpe {
  return {
    part: values[0] ?? ANY,
    vendor: values[1] ?? ANY,
    product: values[2] ?? ANY,
    version: values[3] ?? ANY,
    update: values[4] ?? ANY,
    edition: values[5] ?? ANY,
    language: values[6] ?? ANY,
    swEdition: values[7] ?? ANY,
    targetSw: values[8] ?? ANY,
    targetHw: values[9] ?? ANY,
    other: values[10] ?? ANY,
  };
}

function parseFormatted(input: string): Cpe {
  const parts = splitFormatted(input.slice('cpe:2.3:'.length));
  if (parts.length !== 11) {
    throw new CpeError(`A CPE 2.3 name has 11 components after 'cpe:2.3:', this one has ${parts.length} (write '*' for ANY)`);
  }
  const values = parts.map((raw, index) => unbindFormattedValue(raw, CPE_ATTRIBUTES[index] ?? 'component'));
  values[0] = checkPart(values[0] ?? ANY, 'part');
  return fromValues(values);
}

function hexValue(char: string): number {
  const code = char.toLowerCase().charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/**
 * One component of the 2.2 URI, unbound per NISTIR 7695 §6.1.3: `%01` is `?`, `%02` is `*`, any other
 * escape a quoted punctuation mark. Rewritten as a formatted-string component, the wildcard rules are one.
 */
function unbindUriValue(raw: string, where: string): CpeValue {
  if (raw === '') return ANY;
  if (raw === '-') return NA;
  if (!raw.includes('%')) {
    for (const char of raw) {
      if (!isAlphanumeric(char.charCodeAt(0)) && !'-._'.includes(char)) {
        throw new CpeError(`${where}: ${describe(char)} must be percent-encoded in a CPE 2.2 URI`);
      }
    }
    return unbindFormattedValue(raw, where);
  }
  let formatted = '';
  for (let index = 0; index < raw.length; index++) {
    const char = raw.charAt(index);
    if (char !== '%') {
      if (!isAlphanumeric(char.charCodeAt(0)) && !'-._'.includes(char)) {
        throw new CpeError(`${where}: ${describe(char)} must be percent-encoded in a CPE 2.2 URI`);
      }
      formatted += char;
      continue;
    }
    const high = hexValue(raw.charAt(index + 1));
    const low = hexValue(raw.charAt(index + 2));
    if (high < 0 || low < 0) throw new CpeError(`${where}: '%' must start a two-digit hex escape`);
    index += 2;
    const code = high * 16 + low;
    if (code === 1) formatted += '?';
    else if (code === 2) formatted += '*';
    else if (isPrintableAscii(code) && !isAlphanumeric(code)) formatted += `\\${String.fromCharCode(code)}`;
    else throw new CpeError(`${where}: %${raw.slice(index - 1, index + 1)} does not encode a punctuation mark`);
  }
  return unbindFormattedValue(formatted, where);
}

function parseUri(input: string): Cpe {
  const parts = input.slice('cpe:/'.length).split(':');
  if (parts.length > 7) throw new CpeError(`A CPE 2.2 URI has at most 7 components, this one has ${parts.length}`);
  const values: CpeValue[] = [];
  for (const [index, raw] of parts.entries()) {
    const name = CPE_ATTRIBUTES[index] ?? 'component';
    if (name === 'edition' && raw.startsWith('~')) {
      const packed = raw.slice(1).split('~');
      if (packed.length !== 5) throw new CpeError('edition: a packed edition has five fields, ~ed~sw~tsw~thw~other');
      values[5] = unbindUriValue(packed[0] ?? '', 'edition');
      const packedNames = ['swEdition', 'targetSw', 'targetHw', 'other'] as const;
      packedNames.forEach((packedName, offset) => {
        values[7 + offset] = unbindUriValue(packed[offset + 1] ?? '', packedName);
      });
      continue;
    }
    if (raw.includes('~')) throw new CpeError(`${name}: '~' must be percent-encoded outside a packed edition`);
    values[index] = unbindUriValue(raw, name);
  }
  values[0] = checkPart(values[0] ?? ANY, 'part');
  return fromValues(values);
}

/**
 * Parses a CPE 2.3 formatted string or a CPE 2.2 URI into a well-formed name (lower-cased).
 * Throws CpeError (400 `invalid_cpe`) with the reason when the input is not one.
 * @example parseCpe('cpe:/a:microsoft:internet_explorer:8.0.6001:beta').version // { kind: 'value', text: '8.0.6001', head: 0, tail: 0 }
 */
export function parseCpe(input: string): Cpe {
  if (typeof input !== 'string') throw new CpeError('A CPE name must be a string');
  if (input.length > MAX_CPE_LENGTH) throw new CpeError(`A CPE name is at most ${MAX_CPE_LENGTH} characters`);
  const prefix = input.slice(0, 8).toLowerCase();
  if (prefix === 'cpe:2.3:') return parseFormatted(input);
  if (prefix.startsWith('cpe:/')) return parseUri(input);
  throw new CpeError("A CPE name starts with 'cpe:2.3:' (formatted string) or 'cpe:/' (2.2 URI)");
}

function bindValue(value: CpeValue): string {
  if (value.kind === 'any') return '*';
  if (value.kind === 'na') return '-';
  const wild = (count: number): string => (count === STAR ? '*' : '?'.repeat(count));
  let text = '';
  for (const char of value.text) {
    const code = char.charCodeAt(0);
    text += isAlphanumeric(code) || char === '_' || char === '.' || char === '-' ? char : `\\${char}`;
  }
  // A lone literal '-' would read back as NA.
  if (text === '-' && value.head === 0 && value.tail === 0) text = '\\-';
  return `${wild(value.head)}${text}${wild(value.tail)}`;
}

/**
 * Binds a well-formed name to the CPE 2.3 formatted string.
 * @example formatCpe(parseCpe('cpe:/a:acme:router%21os')) // 'cpe:2.3:a:acme:router\\!os:*:*:*:*:*:*:*:*'
 */
export function formatCpe(cpe: Cpe): string {
  return `cpe:2.3:${CPE_ATTRIBUTES.map((name) => bindValue(cpe[name])).join(':')}`;
}

/** The relations of NISTIR 7696 §6.1 (per attribute and per name), plus 'overlap' for names mixing SUPERSET and SUBSET. */
export type CpeRelation = 'equal' | 'superset' | 'subset' | 'disjoint' | 'undefined' | 'overlap';

/** Whether the wildcarded source value covers the literal target text, in linear time. */
function wildcardCovers(source: { text: string; head: number; tail: number }, target: string): boolean {
  const { text, head, tail } = source;
  const minimum = text.length + Math.max(head, 0) + Math.max(tail, 0);
  if (target.length < minimum) return false;
  if (head !== STAR && tail !== STAR) {
    return target.length === minimum && target.startsWith(text, head);
  }
  if (head !== STAR) return target.startsWith(text, head) && target.length - head - text.length >= tail;
  if (tail !== STAR) return target.slice(0, target.length - tail).endsWith(text);
  return target.includes(text);
}

/**
 * The relation of one attribute of the source (the pattern) to the same attribute of the target,
 * per the table of NISTIR 7696 §6.1.2. A target with wildcards is 'undefined'.
 */
export function compareCpeValues(source: CpeValue, target: CpeValue): CpeRelation {
  const targetWild = target.kind === 'value' && (target.head !== 0 || target.tail !== 0);
  if (source.kind === 'any') return target.kind === 'any' ? 'equal' : targetWild ? 'undefined' : 'superset';
  if (targetWild) return 'undefined';
  if (target.kind === 'any') return 'subset';
  if (source.kind === 'na') return target.kind === 'na' ? 'equal' : 'disjoint';
  if (target.kind === 'na') return 'disjoint';
  if (source.head === 0 && source.tail === 0) return source.text === target.text ? 'equal' : 'disjoint';
  return wildcardCovers(source, target.text) ? 'superset' : 'disjoint';
}

/** The name-level relation of NISTIR 7696 §6.2: DISJOINT wins, then 'undefined', then the set relations. */
export function compareCpes(source: Cpe, target: Cpe): CpeRelation {
  let superset = false;
  let subset = false;
  let undefinedSeen = false;
  for (const name of CPE_ATTRIBUTES) {
    const relation = compareCpeValues(source[name], target[name]);
    if (relation === 'disjoint') return 'disjoint';
    if (relation === 'undefined') undefinedSeen = true;
    else if (relation === 'superset') superset = true;
    else if (relation === 'subset') subset = true;
  }
  if (undefinedSeen) return 'undefined';
  if (superset && subset) return 'overlap';
  return superset ? 'superset' : subset ? 'subset' : 'equal';
}

/**
 * NISTIR 7696's CPE name match: the pattern is a superset of, or equal to, the candidate. Accepts
 * strings (either binding) or parsed names; throws CpeError for a malformed string.
 * @example cpeMatches('cpe:2.3:a:acme:router_os:*:*:*:*:*:*:*:*', 'cpe:2.3:a:acme:router_os:2.1:*:*:*:*:*:*:*') // true
 */
export function cpeMatches(pattern: string | Cpe, candidate: string | Cpe): boolean {
  const source = typeof pattern === 'string' ? parseCpe(pattern) : pattern;
  const target = typeof candidate === 'string' ? parseCpe(candidate) : candidate;
  const relation = compareCpes(source, target);
  return relation === 'equal' || relation === 'superset';
}
