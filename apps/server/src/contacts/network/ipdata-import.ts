import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../../db/schema/index.ts';
import { BadRequestError } from '../../kernel/errors.ts';
import { type ParsedLine, forEachLine, parseIp2asnLine, parseRirLine } from './ipdata-lines.ts';
import { CorruptMmdbError, looksLikeMmdb, walkMmdb } from './mmdb-walk.ts';

export const IPDATA_FORMATS = ['rir', 'ip2asn', 'mmdb'] as const;
export type IpDataFormat = (typeof IPDATA_FORMATS)[number];

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  ranges: number;
  rejected: number;
}

export interface RejectedLine {
  line: number;
  reason: string;
}

export interface ImportSummary {
  datasetId: string;
  format: IpDataFormat;
  source: string;
  fileName: string;
  dataDate: string | null;
  ipv4Ranges: number;
  ipv6Ranges: number;
  asns: number;
  /** The first rejected lines (at most 100), by line number; `rejectedCount` has them all. */
  rejected: RejectedLine[];
  rejectedCount: number;
  /** The dataset this one replaced (same source), now deleted. */
  replaced: { id: string; fileName: string; importedAt: Date } | null;
  seconds: number;
}

export interface ImportOptions {
  format?: IpDataFormat;
  /** Overrides the source name (which dataset a new import replaces). */
  source?: string;
  /** Who imports: stored on the dataset. */
  importedBy: string;
  onProgress?: (progress: ImportProgress) => void;
  maxLineBytes?: number;
  /** Largest mmdb read (the format needs random access, so it is read whole). */
  mmdbMaxBytes?: number;
  batchSize?: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const MAX_REJECTIONS_KEPT = 100;

/** Reads the file's first bytes (decompressed when gzipped) and its last 128 KiB, to name its format. */
export async function detectFormat(filePath: string): Promise<IpDataFormat> {
  const handle = await fs.promises.open(filePath, 'r');
  let head: Buffer;
  let tail: Buffer;
  try {
    const { size } = await handle.stat();
    head = Buffer.alloc(Math.min(size, 65536));
    await handle.read(head, 0, head.length, 0);
    tail = Buffer.alloc(Math.min(size, 131072));
    await handle.read(tail, 0, tail.length, size - tail.length);
  } finally {
    await handle.close();
  }
  if (head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]) head = await gunzipHead(filePath);
  else if (looksLikeMmdb(tail)) return 'mmdb';
  const lines = head
    .toString('utf8')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l !== '' && !l.startsWith('#'))
    .slice(0, 20);
  if (lines.some((l) => /^[^|\t]*\|[^|]*\|(ipv4|ipv6|asn|\*)\|/.test(l) || /^\d+(\.\d+)?\|[a-z]+\|/i.test(l))) return 'rir';
  if (lines.some((l) => l.split('\t').length >= 4)) return 'ip2asn';
  throw new BadRequestError('unknown_format', 'Cannot tell the format of the file: name it with --format rir|ip2asn|mmdb');
}

async function gunzipHead(filePath: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  const stream = fs.createReadStream(filePath).pipe(createGunzip());
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= 65536) break;
    }
  } catch {
    // A truncated gzip still shows its first lines; the import itself will report the damage.
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, 65536);
}

/** Collects parsed rows and writes them in batches (one INSERT ... SELECT FROM unnest per batch). */
class DatasetWriter {
  private firsts: string[] = [];
  private lasts: string[] = [];
  private asnsOfRanges: (number | null)[] = [];
  private countries: (string | null)[] = [];
  readonly asns = new Map<number, { country: string | null; name: string | null }>();
  ipv4 = 0;
  ipv6 = 0;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly datasetId: string,
    private readonly batchSize: number,
  ) {}

  get pending(): number {
    return this.firsts.length;
  }

  add(row: ParsedLine & { kind: 'range' }): void {
    this.firsts.push(row.first);
    this.lasts.push(row.last);
    this.asnsOfRanges.push(row.asn);
    this.countries.push(row.country);
    if (row.family === 4) this.ipv4++;
    else this.ipv6++;
    if (row.asn !== null) {
      const known = this.asns.get(row.asn);
      if (!known) this.asns.set(row.asn, { country: row.country, name: row.asName });
      else if (!known.name && row.asName) known.name = row.asName;
    }
  }

  addAsns(first: number, count: number, country: string | null): void {
    for (let asn = first; asn < first + count; asn++) this.asns.set(asn, { country, name: this.asns.get(asn)?.name ?? null });
  }

  async flushIfFull(): Promise<void> {
    if (this.firsts.length >= this.batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.firsts.length === 0) return;
    const [firsts, lasts, asns, countries] = [this.firsts, this.lasts, this.asnsOfRanges, this.countries];
    this.firsts = [];
    this.lasts = [];
    this.asnsOfRanges = [];
    this.countries = [];
    await sql`
      INSERT INTO ipdata_ranges (dataset_id, first_ip, last_ip, asn, country)
      SELECT ${this.datasetId}::uuid, f::inet, l::inet, a, c FROM unnest(${firsts}::text[], ${lasts}::text[], ${asns}::bigint[], ${countries}::text[]) AS t(f, l, a, c)
    `.execute(this.db);
  }

  async writeAsns(): Promise<void> {
    const entries = [...this.asns.entries()];
    for (let i = 0; i < entries.length; i += this.batchSize) {
      const slice = entries.slice(i, i + this.batchSize);
      await sql`
        INSERT INTO ipdata_asns (dataset_id, asn, country, name)
        SELECT ${this.datasetId}::uuid, a, c, n FROM unnest(${slice.map(([asn]) => asn)}::bigint[], ${slice.map(([, v]) => v.country)}::text[], ${slice.map(([, v]) => v.name)}::text[]) AS t(a, c, n)
      `.execute(this.db);
    }
  }
}

/**
 * Imports an IP data file as a new dataset, streamed (RIR and TSV, gzipped or not) in batches, and
 * swaps it in for the active dataset of the same source in one transaction once it is complete: until
 * then lookups use the previous one, and a failed import leaves it untouched. Malformed lines are
 * reported by number and skipped; nothing else is lost.
 * @example const summary = await importIpData(db, '/data/delegated-apnic-extended-latest', { importedBy: 'cli' });
 */
export async function importIpData(db: Kysely<Schema>, filePath: string, options: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const stat = await fs.promises.stat(filePath).catch(() => null);
  if (!stat?.isFile()) throw new BadRequestError('file_not_found', `No such file: ${filePath}`);
  const format = options.format ?? (await detectFormat(filePath));
  const fileName = path.basename(filePath).slice(0, 255);
  await cleanUpLeftovers(db);
  const created = await db
    .insertInto('ipdata_datasets')
    .values({
      format,
      source: options.source ?? format,
      file_name: fileName,
      file_sha256: '',
      state: 'loading',
      data_date: null,
      imported_by: options.importedBy,
      completed_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const datasetId = created.id;
  const writer = new DatasetWriter(db, datasetId, options.batchSize ?? 5000);
  const rejected: RejectedLine[] = [];
  let rejectedCount = 0;
  const reject = (line: number, reason: string) => {
    rejectedCount++;
    if (rejected.length < MAX_REJECTIONS_KEPT) rejected.push({ line, reason });
  };
  let source = options.source ?? (format === 'ip2asn' ? 'ip2asn' : format);
  let dataDate: string | null = null;
  const hash = createHash('sha256');
  let bytesRead = 0;
  const progress = () => options.onProgress?.({ bytesRead, totalBytes: stat.size, ranges: writer.ipv4 + writer.ipv6, rejected: rejectedCount });

  try {
    if (format === 'mmdb') {
      const limit = options.mmdbMaxBytes ?? 1024 * 1024 * 1024;
      if (stat.size > limit) throw new BadRequestError('file_too_large', `The mmdb file is ${stat.size} bytes; the limit is ${limit}`);
      const buffer = await fs.promises.readFile(filePath);
      hash.update(buffer);
      bytesRead = buffer.length;
      const walk = walkMmdb(buffer);
      let step = walk.next();
      while (!step.done) {
        if (step.value.kind === 'range') writer.add(step.value);
        if (writer.pending >= (options.batchSize ?? 5000)) {
          await writer.flush();
          progress();
        }
        step = walk.next();
      }
      source = options.source ?? step.value.databaseType;
      dataDate = step.value.buildDate;
    } else {
      const parse = format === 'rir' ? parseRirLine : parseIp2asnLine;
      const file = fs.createReadStream(filePath, { highWaterMark: 256 * 1024 });
      async function* counted(): AsyncGenerator<Buffer> {
        for await (const chunk of file as AsyncIterable<Buffer>) {
          hash.update(chunk);
          bytesRead += chunk.length;
          yield chunk;
        }
      }
      const gzipped = await isGzip(filePath);
      const stream = (gzipped ? pipeline(Readable.from(counted()), createGunzip(), () => undefined) : counted()) as AsyncIterable<Buffer>;
      await forEachLine(
        stream,
        (text, number) => {
          const parsed = parse(text);
          switch (parsed.kind) {
            case 'range':
              writer.add(parsed);
              break;
            case 'asns':
              writer.addAsns(parsed.first, parsed.count, parsed.country);
              break;
            case 'header':
              if (!options.source) source = parsed.source;
              dataDate = parsed.dataDate;
              break;
            case 'error':
              reject(number, parsed.reason);
              break;
            case 'skip':
              break;
          }
        },
        {
          maxLineBytes: options.maxLineBytes ?? 64 * 1024,
          onTooLong: (number) => reject(number, `line longer than ${options.maxLineBytes ?? 64 * 1024} bytes`),
          afterChunk: async () => {
            await writer.flushIfFull();
            progress();
          },
        },
      ).catch((error: unknown) => {
        if (error instanceof Error && 'code' in error && String(error.code).startsWith('Z_'))
          throw new BadRequestError('corrupt_gzip', `The gzip stream is damaged: ${error.message}`);
        throw error;
      });
    }
    await writer.flush();
    await writer.writeAsns();
    progress();
    if (writer.ipv4 + writer.ipv6 === 0 && writer.asns.size === 0) {
      throw new BadRequestError(
        'empty_dataset',
        `No ranges or ASNs found in ${fileName}${rejectedCount ? ` (${rejectedCount} lines rejected, first: line ${rejected[0]!.line}: ${rejected[0]!.reason})` : ''}; the previous dataset stays in use`,
      );
    }
    const replaced = await activateDataset(db, datasetId, source, {
      data_date: dataDate,
      file_sha256: hash.digest('hex'),
      ipv4_ranges: writer.ipv4,
      ipv6_ranges: writer.ipv6,
      asns: writer.asns.size,
      rejected_lines: rejectedCount,
    });
    if (replaced) await db.deleteFrom('ipdata_datasets').where('id', '=', replaced.id).execute();
    return {
      datasetId,
      format,
      source,
      fileName,
      dataDate,
      ipv4Ranges: writer.ipv4,
      ipv6Ranges: writer.ipv6,
      asns: writer.asns.size,
      rejected,
      rejectedCount,
      replaced,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (error) {
    await db
      .deleteFrom('ipdata_datasets')
      .where('id', '=', datasetId)
      .execute()
      .catch(() => undefined);
    if (error instanceof CorruptMmdbError) throw new BadRequestError('corrupt_mmdb', `${error.message}; the previous dataset stays in use`);
    throw error;
  }
}

/** Makes a loaded dataset the active one of its source and retires the previous one, in one transaction. */
async function activateDataset(
  db: Kysely<Schema>,
  datasetId: string,
  source: string,
  completed: { data_date: string | null; file_sha256: string; ipv4_ranges: number; ipv6_ranges: number; asns: number; rejected_lines: number },
): Promise<ImportSummary['replaced']> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`ipdata:${source}`}))`.execute(trx);
    const old = await trx
      .selectFrom('ipdata_datasets')
      .select(['id', 'file_name', 'imported_at'])
      .where('source', '=', source)
      .where('state', '=', 'active')
      .executeTakeFirst();
    if (old) await trx.updateTable('ipdata_datasets').set({ state: 'retired' }).where('id', '=', old.id).execute();
    await trx
      .updateTable('ipdata_datasets')
      .set({
        ...completed,
        state: 'active',
        source,
        completed_at: new Date(),
      })
      .where('id', '=', datasetId)
      .execute();
    return old ? { id: old.id, fileName: old.file_name, importedAt: old.imported_at } : null;
  });
}

async function isGzip(filePath: string): Promise<boolean> {
  const handle = await fs.promises.open(filePath, 'r');
  try {
    const head = Buffer.alloc(2);
    await handle.read(head, 0, 2, 0);
    return head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/** Removes datasets a crashed import left behind: retired ones, and loading ones a day old. */
async function cleanUpLeftovers(db: Kysely<Schema>): Promise<void> {
  await db
    .deleteFrom('ipdata_datasets')
    .where((eb) => eb.or([eb('state', '=', 'retired'), eb.and([eb('state', '=', 'loading'), eb('imported_at', '<', sql<Date>`now() - interval '1 day'`)])]))
    .execute();
}
