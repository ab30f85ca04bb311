/**
 * The in-memory lookup structure: disjoint address ranges in sorted typed arrays, with parallel arrays
 * of ASN and country, searched by bisection. IPv4 adds a 65,537-entry index on the top 16 bits, so a
 * lookup bisects only the few ranges of its /16. Nested input (a /24 inside a /16) is flattened first so
 * that the innermost range wins: a longest-prefix match.
 */

/** What a range says: ASN (0 = none given) and country as two packed ASCII letters (0 = none). */
export interface RangeValue {
  asn: number;
  country: number;
}

/** Packs 'JP' into one 16-bit number (0 = no country). */
export function packCountry(code: string | null): number {
  if (!code || code.length !== 2) return 0;
  return (code.charCodeAt(0) << 8) | code.charCodeAt(1);
}

export function unpackCountry(packed: number): string | null {
  return packed === 0 ? null : String.fromCharCode(packed >>> 8, packed & 255);
}

/** Collects ranges of one family in any order; `build` sorts and flattens them. */
export class Ipv4RangeBuilder {
  private starts: number[] = [];
  private ends: number[] = [];
  private asns: number[] = [];
  private countries: number[] = [];

  get size(): number {
    return this.starts.length;
  }

  add(first: number, last: number, asn: number, country: number): void {
    this.starts.push(first);
    this.ends.push(last);
    this.asns.push(asn);
    this.countries.push(country);
  }

  build(): Ipv4RangeTable {
    const n = this.starts.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const { starts, ends } = this;
    // Outer ranges before the ranges they contain: start ascending, end descending.
    order.sort((a, b) => starts[a]! - starts[b]! || ends[b]! - ends[a]!);
    const out = { starts: [] as number[], ends: [] as number[], asns: [] as number[], countries: [] as number[] };
    const emit = (i: number, from: number, to: number) => {
      if (from > to) return;
      out.starts.push(from);
      out.ends.push(to);
      out.asns.push(this.asns[i]!);
      out.countries.push(this.countries[i]!);
    };
    // A sweep with a stack of open ranges; `cursor` is the first address not yet emitted.
    const stack: number[] = [];
    let cursor = 0;
    const closeUntil = (limit: number) => {
      while (stack.length > 0 && ends[stack[stack.length - 1]!]! < limit) {
        const top = stack.pop()!;
        emit(top, Math.max(cursor, starts[top]!), ends[top]!);
        cursor = Math.max(cursor, ends[top]! + 1);
      }
    };
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      closeUntil(starts[i]!);
      if (stack.length > 0) emit(stack[stack.length - 1]!, Math.max(cursor, starts[stack[stack.length - 1]!]!), starts[i]! - 1);
      cursor = Math.max(cursor, starts[i]!);
      stack.push(i);
    }
    closeUntil(Number.POSITIVE_INFINITY);
    return new Ipv4RangeTable(Uint32Array.from(out.starts), Uint32Array.from(out.ends), Uint32Array.from(out.asns), Uint16Array.from(out.countries));
  }
}

export class Ipv4RangeTable {
  /** index[b] = how many ranges start below b << 16; index[65536] = the count. */
  private readonly index: Uint32Array;

  constructor(
    readonly starts: Uint32Array,
    readonly ends: Uint32Array,
    readonly asns: Uint32Array,
    readonly countries: Uint16Array,
  ) {
    const n = starts.length;
    this.index = new Uint32Array(65537);
    let k = 0;
    for (let b = 0; b <= 65536; b++) {
      const bound = b * 65536;
      while (k < n && starts[k]! < bound) k++;
      this.index[b] = k;
    }
  }

  get size(): number {
    return this.starts.length;
  }

  /** The position of the range holding `ip` (an unsigned 32-bit integer), or -1. */
  find(ip: number): number {
    const b = ip >>> 16;
    const below = this.index[b]!;
    let lo = below > 0 ? below - 1 : 0;
    let hi = this.index[b + 1]!; // exclusive
    const starts = this.starts;
    if (hi === 0 || starts[lo]! > ip) return -1;
    // Invariant: starts[lo] <= ip; find the last such position in [lo, hi).
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= ip) lo = mid;
      else hi = mid;
    }
    return this.ends[lo]! >= ip ? lo : -1;
  }
}

/** IPv6 ranges as four 32-bit words each (most significant first), compared word by word. */
export class Ipv6RangeBuilder {
  private readonly items: { first: bigint; last: bigint; asn: number; country: number }[] = [];

  get size(): number {
    return this.items.length;
  }

  add(first: bigint, last: bigint, asn: number, country: number): void {
    this.items.push({ first, last, asn, country });
  }

  build(): Ipv6RangeTable {
    const items = this.items.slice().sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.last > b.last ? -1 : a.last < b.last ? 1 : 0));
    const out: { first: bigint; last: bigint; asn: number; country: number }[] = [];
    const emit = (item: (typeof items)[number], from: bigint, to: bigint) => {
      if (from <= to) out.push({ first: from, last: to, asn: item.asn, country: item.country });
    };
    const stack: (typeof items)[number][] = [];
    let cursor = 0n;
    const max = (a: bigint, b: bigint) => (a > b ? a : b);
    const closeUntil = (limit: bigint | null) => {
      while (stack.length > 0 && (limit === null || stack[stack.length - 1]!.last < limit)) {
        const top = stack.pop()!;
        emit(top, max(cursor, top.first), top.last);
        cursor = max(cursor, top.last + 1n);
      }
    };
    for (const item of items) {
      closeUntil(item.first);
      const top = stack[stack.length - 1];
      if (top) emit(top, max(cursor, top.first), item.first - 1n);
      cursor = max(cursor, item.first);
      stack.push(item);
    }
    closeUntil(null);
    const n = out.length;
    const starts = new Uint32Array(n * 4);
    const ends = new Uint32Array(n * 4);
    const asns = new Uint32Array(n);
    const countries = new Uint16Array(n);
    out.forEach((range, i) => {
      writeWords(starts, i, range.first);
      writeWords(ends, i, range.last);
      asns[i] = range.asn;
      countries[i] = range.country;
    });
    return new Ipv6RangeTable(starts, ends, asns, countries);
  }
}

function writeWords(target: Uint32Array, i: number, value: bigint): void {
  for (let w = 0; w < 4; w++) target[i * 4 + w] = Number((value >> BigInt(96 - 32 * w)) & 0xffffffffn);
}

/** Compares the i-th 4-word entry of `words` with `ip` (4 words): negative, zero or positive. */
function compareAt(words: Uint32Array, i: number, ip: Uint32Array): number {
  for (let w = 0; w < 4; w++) {
    const d = words[i * 4 + w]! - ip[w]!;
    if (d !== 0) return d;
  }
  return 0;
}

export class Ipv6RangeTable {
  private readonly probe = new Uint32Array(4);

  constructor(
    readonly starts: Uint32Array,
    readonly ends: Uint32Array,
    readonly asns: Uint32Array,
    readonly countries: Uint16Array,
  ) {}

  get size(): number {
    return this.asns.length;
  }

  /** The first address of range i. */
  first(i: number): bigint {
    return readWords(this.starts, i);
  }

  last(i: number): bigint {
    return readWords(this.ends, i);
  }

  /** The position of the range holding `ip`, or -1. */
  find(ip: bigint): number {
    const probe = this.probe;
    writeWords(probe, 0, ip);
    let lo = 0;
    let hi = this.size;
    if (hi === 0 || compareAt(this.starts, 0, probe) > 0) return -1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (compareAt(this.starts, mid, probe) <= 0) lo = mid;
      else hi = mid;
    }
    return compareAt(this.ends, lo, probe) >= 0 ? lo : -1;
  }
}

function readWords(words: Uint32Array, i: number): bigint {
  let value = 0n;
  for (let w = 0; w < 4; w++) value = (value << 32n) | BigInt(words[i * 4 + w]!);
  return value;
}
