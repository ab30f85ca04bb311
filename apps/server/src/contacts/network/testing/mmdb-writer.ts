import { parseCidr } from '../../../kernel/ip.ts';

/**
 * A small MaxMind DB writer for tests (no npm package writes the format): a binary search tree,
 * 16 zero bytes, a data section of encoded records, then the metadata marker and map. Spec:
 * MaxMind DB File Format 2.0. Records are maps of strings, unsigned integers and nested maps.
 * @example const bytes = writeMmdb({ ipVersion: 4, networks: [['192.0.2.0/24', { autonomous_system_number: 64500 }]] });
 */
export function writeMmdb(options: {
  ipVersion: 4 | 6;
  recordSize?: 24 | 28 | 32;
  databaseType?: string;
  networks: [cidr: string, record: MmdbValue][];
}): Buffer {
  const recordSize = options.recordSize ?? 24;
  const bits = options.ipVersion === 4 ? 32 : 128;
  // Nodes hold [left, right]: a node index, a data offset ({ data }) or null (empty).
  type Ref = number | { data: number } | null;
  const nodes: [Ref, Ref][] = [[null, null]];
  const data: Buffer[] = [];
  let dataLength = 0;
  const offsets = new Map<string, number>();
  for (const [cidr, record] of options.networks) {
    const range = parseCidr(cidr);
    if (!range) throw new Error(`bad CIDR ${cidr}`);
    let first: bigint;
    let length: number;
    if (range.family === 4 && options.ipVersion === 6) {
      first = BigInt(range.first);
      length = range.length + 96;
    } else if (range.family === 4) {
      first = BigInt(range.first);
      length = range.length;
    } else {
      if (options.ipVersion === 4) throw new Error('IPv6 network in an IPv4 database');
      first = range.first;
      length = range.length;
    }
    const key = JSON.stringify(record);
    let offset = offsets.get(key);
    if (offset === undefined) {
      const encoded = encode(record);
      offset = dataLength;
      offsets.set(key, offset);
      data.push(encoded);
      dataLength += encoded.length;
    }
    let node = 0;
    for (let depth = 0; depth < length; depth++) {
      const bit = Number((first >> BigInt(bits - 1 - depth)) & 1n);
      if (depth === length - 1) {
        nodes[node]![bit] = { data: offset };
        break;
      }
      const next = nodes[node]![bit];
      if (typeof next === 'number') {
        node = next;
      } else {
        // Descending through a shorter network's data: its data moves down to both halves, as in real writers.
        nodes.push([next ?? null, next ?? null]);
        nodes[node]![bit] = nodes.length - 1;
        node = nodes.length - 1;
      }
    }
  }
  const nodeCount = nodes.length;
  const nodeBytes = recordSize / 4;
  const tree = Buffer.alloc(nodeCount * nodeBytes);
  const value = (ref: Ref) => (ref === null ? nodeCount : typeof ref === 'number' ? ref : nodeCount + 16 + ref.data);
  nodes.forEach(([left, right], i) => writeNode(tree, i * nodeBytes, recordSize, value(left), value(right)));
  const metadata = encode({
    node_count: { uint32: nodeCount },
    record_size: { uint16: recordSize },
    ip_version: { uint16: options.ipVersion },
    database_type: options.databaseType ?? 'Renkei-Test',
    languages: ['en'],
    binary_format_major_version: { uint16: 2 },
    binary_format_minor_version: { uint16: 0 },
    build_epoch: { uint64: 1_790_000_000n },
    description: { en: 'test database' },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...data, Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'), metadata]);
}

export function writeNode(tree: Buffer, at: number, recordSize: number, left: number, right: number): void {
  if (recordSize === 24) {
    tree.writeUIntBE(left, at, 3);
    tree.writeUIntBE(right, at + 3, 3);
  } else if (recordSize === 28) {
    tree.writeUIntBE(left & 0xffffff, at, 3);
    tree[at + 3] = ((Math.floor(left / 0x1000000) & 0x0f) << 4) | (Math.floor(right / 0x1000000) & 0x0f);
    tree.writeUIntBE(right & 0xffffff, at + 4, 3);
  } else {
    tree.writeUInt32BE(left, at);
    tree.writeUInt32BE(right, at + 4);
  }
}

export type MmdbValue = string | number | boolean | MmdbValue[] | { uint16: number } | { uint32: number } | { uint64: bigint } | { [key: string]: MmdbValue };

function control(type: number, size: number): Buffer {
  const head: number[] = [];
  const extended = type > 7;
  let sizeBytes: number[] = [];
  let sizeField = size;
  if (size >= 65821) {
    sizeField = 31;
    const rest = size - 65821;
    sizeBytes = [(rest >> 16) & 255, (rest >> 8) & 255, rest & 255];
  } else if (size >= 285) {
    sizeField = 30;
    const rest = size - 285;
    sizeBytes = [(rest >> 8) & 255, rest & 255];
  } else if (size >= 29) {
    sizeField = 29;
    sizeBytes = [size - 29];
  }
  head.push(((extended ? 0 : type) << 5) | sizeField);
  if (extended) head.push(type - 7);
  return Buffer.from([...head, ...sizeBytes]);
}

function unsigned(type: number, value: bigint): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 255n));
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

function encode(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, bytes.length), bytes]);
  }
  if (typeof value === 'number') return unsigned(6, BigInt(value));
  if (typeof value === 'boolean') return control(14, value ? 1 : 0);
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  if ('uint16' in value && typeof value.uint16 === 'number') return unsigned(5, BigInt(value.uint16));
  if ('uint32' in value && typeof value.uint32 === 'number') return unsigned(6, BigInt(value.uint32));
  if ('uint64' in value && typeof value.uint64 === 'bigint') return unsigned(9, value.uint64);
  const entries = Object.entries(value as Record<string, MmdbValue>);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([k, v]) => [encode(k), encode(v)])]);
}
