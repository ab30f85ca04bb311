import { Reader } from 'maxmind';
import { formatIPv4, formatIPv6 } from '../../kernel/ip.ts';
import type { ParsedLine } from './ipdata-lines.ts';

const METADATA_MARKER = Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'); // \xAB\xCD\xEF "MaxMind.com"

/** The file is a MaxMind DB: its metadata marker sits within the last 128 KiB. */
export function looksLikeMmdb(tail: Buffer): boolean {
  return tail.lastIndexOf(METADATA_MARKER) !== -1;
}

export class CorruptMmdbError extends Error {
  constructor(message: string) {
    super(`corrupt MaxMind DB: ${message}`);
    this.name = 'CorruptMmdbError';
  }
}

export interface MmdbInfo {
  databaseType: string;
  buildDate: string | null;
}

/** The record fields that carry an ASN, AS name or country in the databases people use (GeoLite2, ip-location-db, ipinfo). */
function extract(record: unknown): { asn: number | null; asName: string | null; country: string | null } {
  const r = (record ?? {}) as Record<string, unknown>;
  const nested = (key: string) => {
    const v = r[key];
    return v && typeof v === 'object' ? (v as Record<string, unknown>).iso_code : undefined;
  };
  const asnRaw = r.autonomous_system_number ?? r.asn;
  const asnNumber = typeof asnRaw === 'number' ? asnRaw : typeof asnRaw === 'string' ? Number(asnRaw.replace(/^AS/i, '')) : NaN;
  const nameRaw = r.autonomous_system_organization ?? r.as_name ?? r.as_organization ?? r.organization;
  const countryRaw = nested('country') ?? nested('registered_country') ?? r.country_code ?? (typeof r.country === 'string' ? r.country : undefined);
  return {
    asn: Number.isInteger(asnNumber) && asnNumber > 0 && asnNumber <= 4294967295 ? asnNumber : null,
    asName: typeof nameRaw === 'string' && nameRaw !== '' ? nameRaw.slice(0, 500) : null,
    country: typeof countryRaw === 'string' && /^[A-Za-z]{2}$/.test(countryRaw) ? countryRaw.toUpperCase() : null,
  };
}

/**
 * Walks a MaxMind DB's search tree and yields every network that has data, as ranges. The `maxmind`
 * package checks the metadata and decodes each record; the walk itself is here because the package
 * offers lookups only. Every record is bounds-checked, depth is capped by the address width and the
 * number of visits by the node count, so a corrupt or hostile tree ends in CorruptMmdbError, not a hang.
 */
export function* walkMmdb(buffer: Buffer): Generator<ParsedLine, MmdbInfo> {
  let reader: Reader<Record<string, unknown>>;
  try {
    reader = new Reader(buffer);
  } catch (error) {
    throw new CorruptMmdbError(error instanceof Error ? error.message : String(error));
  }
  const { nodeCount, recordSize, ipVersion, searchTreeSize, databaseType, buildEpoch } = reader.metadata;
  if (![24, 28, 32].includes(recordSize)) throw new CorruptMmdbError(`record size ${recordSize} is not 24, 28 or 32`);
  if (ipVersion !== 4 && ipVersion !== 6) throw new CorruptMmdbError(`ip_version ${ipVersion}`);
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || searchTreeSize + 16 > buffer.length)
    throw new CorruptMmdbError(`node count ${nodeCount} does not fit the file`);
  const markerAt = buffer.lastIndexOf(METADATA_MARKER);
  const dataSectionSize = markerAt - searchTreeSize - 16;
  if (dataSectionSize < 0) throw new CorruptMmdbError('the search tree overlaps the metadata');
  const nodeBytes = recordSize / 4;

  const readRecord = (node: number, right: boolean): number => {
    const at = node * nodeBytes;
    switch (recordSize) {
      case 24:
        return right ? buffer.readUIntBE(at + 3, 3) : buffer.readUIntBE(at, 3);
      case 28:
        return right
          ? (buffer[at + 3]! & 0x0f) * 0x1000000 + buffer.readUIntBE(at + 4, 3)
          : ((buffer[at + 3]! & 0xf0) >>> 4) * 0x1000000 + buffer.readUIntBE(at, 3);
      default:
        return buffer.readUInt32BE(at + (right ? 4 : 0));
    }
  };

  const bits = ipVersion === 4 ? 32 : 128;
  // In an IPv6 tree IPv4 lives at ::/96; the writer may alias it elsewhere (::ffff:0:0/96, 2002::/16), skipped as duplicates.
  let ipv4Start = 0;
  if (ipVersion === 6) {
    for (let i = 0; i < 96 && ipv4Start < nodeCount; i++) ipv4Start = readRecord(ipv4Start, false);
  }
  const cache = new Map<number, ReturnType<typeof extract>>();
  const visitLimit = nodeCount * 4 + 1024;
  let visits = 0;
  // Depth-first: [node, depth, path bits so far].
  const stack: [number, number, bigint][] = [[0, 0, 0n]];
  while (stack.length > 0) {
    const [node, depth, path] = stack.pop()!;
    if (++visits > visitLimit) throw new CorruptMmdbError('the search tree has more paths than nodes allow (a loop or shared subtrees)');
    if (ipVersion === 6 && node === ipv4Start && !(depth === 96 && path === 0n)) continue;
    for (const right of [true, false]) {
      const value = readRecord(node, right);
      const childPath = (path << 1n) | (right ? 1n : 0n);
      const childDepth = depth + 1;
      if (value < nodeCount) {
        if (childDepth >= bits) throw new CorruptMmdbError(`node ${node} points deeper than ${bits} bits`);
        stack.push([value, childDepth, childPath]);
        continue;
      }
      if (value === nodeCount) continue; // no data here
      const offset = value - nodeCount - 16;
      if (offset < 0 || offset >= dataSectionSize) throw new CorruptMmdbError(`node ${node} points outside the data section (${value})`);
      let fields = cache.get(offset);
      if (!fields) {
        const hostBits = BigInt(bits - childDepth);
        const first = childPath << hostBits;
        const ipText = ipVersion === 4 ? formatIPv4(Number(first)) : formatIPv6(first);
        let record: unknown;
        try {
          record = reader.get(ipText);
        } catch (error) {
          throw new CorruptMmdbError(`record for ${ipText}: ${error instanceof Error ? error.message : String(error)}`);
        }
        fields = extract(record);
        cache.set(offset, fields);
      }
      if (fields.asn === null && fields.country === null) continue;
      const hostBits = BigInt(bits - childDepth);
      const first = childPath << hostBits;
      const last = first + (1n << hostBits) - 1n;
      if (ipVersion === 6 && childDepth > 96 && first >> 32n === 0n) {
        yield {
          kind: 'range',
          family: 4,
          first: formatIPv4(Number(first)),
          last: formatIPv4(Number(last)),
          asn: fields.asn,
          country: fields.country,
          asName: fields.asName,
        };
      } else if (ipVersion === 4) {
        yield {
          kind: 'range',
          family: 4,
          first: formatIPv4(Number(first)),
          last: formatIPv4(Number(last)),
          asn: fields.asn,
          country: fields.country,
          asName: fields.asName,
        };
      } else {
        yield { kind: 'range', family: 6, first: formatIPv6(first), last: formatIPv6(last), asn: fields.asn, country: fields.country, asName: fields.asName };
      }
    }
  }
  const build = buildEpoch instanceof Date && !Number.isNaN(buildEpoch.getTime()) ? buildEpoch.toISOString().slice(0, 10) : null;
  return { databaseType: String(databaseType).slice(0, 100), buildDate: build };
}
