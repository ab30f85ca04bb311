/**
 * `npm run bench` (second part): IPv4 lookups per second against a synthetic table of 1,000,000 prefixes,
 * for the lookup structure (sorted Uint32Array ranges + a /16 index + bisection) beside, in the same run,
 * a JS Map baseline (one Map per prefix length, longest first) and a plain linear scan (measured on a
 * small subsample and extrapolated, as labelled). Also IPv6 against 200,000 prefixes. Single core.
 */
import { Ipv4RangeBuilder, Ipv6RangeBuilder } from '../src/contacts/network/ip-range-table.ts';
import { xorshift32 } from './bench-kit.ts';

const PREFIXES = Number(process.env.BENCH_PREFIXES ?? 1_000_000);
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 10_000_000);
const SCAN_SAMPLE = 300;

// A deterministic generator, so every run measures the same table.
const random = xorshift32(0x9e3779b9);

function syntheticTable() {
  const starts = new Uint32Array(PREFIXES);
  const lengths = new Uint8Array(PREFIXES);
  // Spread PREFIXES blocks of /20-/24 over the address space with random gaps: non-overlapping, realistic sizes.
  const span = 2 ** 32 / PREFIXES;
  for (let i = 0; i < PREFIXES; i++) {
    const length = 20 + Math.floor(random() * 5);
    const size = 2 ** (32 - length);
    const slotStart = Math.floor(i * span);
    const start = Math.ceil(slotStart / size) * size;
    starts[i] = start + size <= Math.floor((i + 1) * span) ? start : Math.ceil(slotStart / 256) * 256;
    lengths[i] = start + size <= Math.floor((i + 1) * span) ? length : 24;
  }
  return { starts, lengths };
}

function measure(name: string, count: number, run: (n: number) => number): { name: string; perSecond: number; checksum: number } {
  run(Math.min(count, 100_000)); // warm up the JIT
  const started = process.hrtime.bigint();
  const checksum = run(count);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { name, perSecond: count / seconds, checksum };
}

const fmt = (n: number) => (n >= 1e5 ? `${(n / 1e6).toFixed(2)} M/s` : `${Math.round(n).toLocaleString('en')} /s`).padStart(14);

const t0 = Date.now();
const { starts, lengths } = syntheticTable();
const builder = new Ipv4RangeBuilder();
for (let i = 0; i < PREFIXES; i++) builder.add(starts[i]!, starts[i]! + 2 ** (32 - lengths[i]!) - 1, 64512 + (i % 1000), 0x4a50);
const table = builder.build();
const buildSeconds = (Date.now() - t0) / 1000;

const maps = new Map<number, Map<number, number>>();
for (let i = 0; i < PREFIXES; i++) {
  let map = maps.get(lengths[i]!);
  if (!map) maps.set(lengths[i]!, (map = new Map()));
  map.set(starts[i]!, i);
}
const mapLengths = [...maps.keys()].sort((a, b) => b - a);
const masks = mapLengths.map((length) => ({ map: maps.get(length)!, size: 2 ** (32 - length) }));

// Queries: half inside a known prefix, half anywhere.
const queries = new Uint32Array(1 << 20);
for (let i = 0; i < queries.length; i++) {
  if (i % 2 === 0) {
    const k = Math.floor(random() * PREFIXES);
    queries[i] = starts[k]! + Math.floor(random() * 2 ** (32 - lengths[k]!));
  } else {
    queries[i] = Math.floor(random() * 4294967296);
  }
}
const qmask = queries.length - 1;

const ours = measure('typed-array ranges + /16 index (Renkei)', LOOKUPS, (n) => {
  let hits = 0;
  for (let i = 0; i < n; i++) if (table.find(queries[i & qmask]!) !== -1) hits++;
  return hits;
});
const map = measure('JS Map per prefix length (baseline)', LOOKUPS / 5, (n) => {
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const ip = queries[i & qmask]!;
    for (const { map: m, size } of masks) {
      if (m.has(Math.floor(ip / size) * size)) {
        hits++;
        break;
      }
    }
  }
  return hits;
});
const scan = measure(`linear scan, ${SCAN_SAMPLE} lookups extrapolated (baseline)`, SCAN_SAMPLE, (n) => {
  let hits = 0;
  const ends = table.ends;
  const s = table.starts;
  for (let i = 0; i < n; i++) {
    const ip = queries[i & qmask]!;
    for (let k = 0; k < s.length; k++) {
      if (s[k]! <= ip && ends[k]! >= ip) {
        hits++;
        break;
      }
    }
  }
  return hits;
});

// The three must agree on which queries hit (on the scan's sample).
let agree = 0;
for (let i = 0; i < SCAN_SAMPLE; i++) {
  const ip = queries[i]!;
  const a = table.find(ip) !== -1;
  const b = masks.some(({ map: m, size }) => m.has(Math.floor(ip / size) * size));
  let c = false;
  for (let k = 0; k < table.starts.length && !c; k++) c = table.starts[k]! <= ip && table.ends[k]! >= ip;
  if (a === b && b === c) agree++;
}

// IPv6: 200,000 /32-/48 prefixes, four 32-bit words per address.
const V6 = 200_000;
const b6 = new Ipv6RangeBuilder();
const v6starts: bigint[] = [];
for (let i = 0; i < V6; i++) {
  const length = 32 + Math.floor(random() * 17);
  const first = (0x2000n << 112n) | (BigInt(i) << 80n);
  v6starts.push(first);
  b6.add(first, first + (1n << BigInt(128 - length)) - 1n, 64512, 0);
}
const t6 = b6.build();
const v6queries = Array.from({ length: 4096 }, (_, i) => v6starts[Math.floor(random() * V6)]! + BigInt(i));
const ours6 = measure('IPv6, 200k prefixes (Renkei)', 1_000_000, (n) => {
  let hits = 0;
  for (let i = 0; i < n; i++) if (t6.find(v6queries[i & 4095]!) !== -1) hits++;
  return hits;
});

console.log(
  `\nIPv4 lookups against ${PREFIXES.toLocaleString('en')} prefixes (${table.size.toLocaleString('en')} ranges; built in ${buildSeconds.toFixed(1)} s), one core, Node ${process.version}`,
);
console.log(`  ${'structure'.padEnd(58)} ${'lookups/s'.padStart(14)}   ratio (ours / it)`);
for (const r of [ours, map, scan])
  console.log(`  ${r.name.padEnd(58)} ${fmt(r.perSecond)}   ${r === ours ? '1.0x' : `${(ours.perSecond / r.perSecond).toFixed(1)}x`}`);
console.log(`  ${ours6.name.padEnd(58)} ${fmt(ours6.perSecond)}`);
console.log(`  answers agree on ${agree} / ${SCAN_SAMPLE} sampled queries; target 2 M/s: ${ours.perSecond >= 2e6 ? 'met' : 'NOT met'}`);
if (agree !== SCAN_SAMPLE || ours.perSecond < 2e6) process.exitCode = 1;
