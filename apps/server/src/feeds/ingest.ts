import { hash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { TlpLevel } from '@renkei/contract';
import type { Schema } from '../db/schema/index.ts';
import type { BulkAnswer, BulkResolver } from '../contacts/index.ts';
import { classifyReportType } from './classification.ts';
import { type CsvLimits, CsvReader } from './csv-reader.ts';
import { EventBatch } from './event-batch.ts';
import { type RejectRow, insertEvents, insertRejects, touchRun } from './feeds.repository.ts';
import { type EventField, FeedHeaderError, type RowPlan, SHADOWSERVER_COLUMNS, parseFeedIp, parseFeedTime, planRows } from './row-mapper.ts';

/** How a run reads its rows: Shadowserver's columns, or a saved mapping. */
export type FeedReading =
  | { format: 'shadowserver'; reportType: string }
  | { format: 'csv'; mapping: { name: string; columns: Record<string, EventField>; taxonomy: string; type: string } };

export interface IngestProgress {
  bytesRead: number;
  rows: number;
  events: number;
  rejected: number;
}

export interface IngestOptions {
  reading: FeedReading;
  tlp: TlpLevel;
  /** Events per insert statement. */
  batchSize?: number;
  /** The de-duplication time bucket (the same source, type, ip and port within one bucket is one event). */
  bucketSeconds?: number;
  /** Rejected lines kept as rows with their excerpt; all are counted. */
  maxStoredRejects?: number;
  limits?: Partial<CsvLimits>;
  onProgress?: (progress: IngestProgress) => void;
  /** Inserts allowed in flight while the next batch is parsed (PostgreSQL: 2; PGlite runs one statement at a time anyway). */
  parallelInserts?: number;
}

export interface IngestCounts {
  rowsRead: number;
  eventsStored: number;
  duplicates: number;
  rejected: number;
  bytesRead: number;
  /** Set when the file could not be read at all (its header); the run failed. */
  error: string | null;
}

const SOURCE_SHADOWSERVER = 'shadowserver';
/** How often a running run touches its heartbeat; the sweep of abandoned runs waits far longer (30 minutes). */
const HEARTBEAT_MS = 5_000;
const COUNTRY = /^[A-Za-z]{2}$/;

/**
 * The bulk pipeline for one run: CSV rows → events → classified → enriched (in-memory tables, no query
 * per row) → fingerprinted → stored in batches with ON CONFLICT DO NOTHING. Rejected lines are stored
 * with their reason. The next batch is parsed while the previous one is being written.
 * @example const counts = await ingestStream(db, runId, fs.createReadStream(file), resolver, { reading: { format: 'shadowserver', reportType: 'scan_ntp' }, tlp: 'amber' });
 */
/** The run's sign of life, written at most every few seconds: a run silent for long is taken as abandoned. */
function heartbeatOf(db: Kysely<Schema>, runId: string): () => Promise<void> {
  let touchedAt = Date.now();
  return async () => {
    if (Date.now() - touchedAt < HEARTBEAT_MS) return;
    touchedAt = Date.now();
    await touchRun(db, runId);
  };
}

export async function ingestStream(
  db: Kysely<Schema>,
  runId: string,
  input: AsyncIterable<Buffer | Uint8Array | string>,
  resolver: BulkResolver,
  options: IngestOptions,
): Promise<IngestCounts> {
  const batchSize = options.batchSize ?? 10_000;
  const bucketMs = (options.bucketSeconds ?? 86_400) * 1000;
  const maxStoredRejects = options.maxStoredRejects ?? 10_000;
  const parallel = Math.max(1, options.parallelInserts ?? 1);
  const reading = options.reading;
  const source = reading.format === 'shadowserver' ? SOURCE_SHADOWSERVER : reading.mapping.name;
  const defaultType = reading.format === 'shadowserver' ? reading.reportType : reading.mapping.name;
  const fixedClass = reading.format === 'csv' ? { taxonomy: reading.mapping.taxonomy, type: reading.mapping.type } : classifyReportType(defaultType);
  const columns = reading.format === 'shadowserver' ? SHADOWSERVER_COLUMNS : reading.mapping.columns;

  const counts: IngestCounts = { rowsRead: 0, eventsStored: 0, duplicates: 0, rejected: 0, bytesRead: 0, error: null };
  let accepted = 0;
  let plan: RowPlan | null = null;
  let extraKeys: string[] = [];
  let batch = new EventBatch();
  let rejects: RejectRow[] = [];
  let storedRejects = 0;
  const out: BulkAnswer = { asn: 0, country: null, organisationId: null, abuseEmail: null };
  const inflight: Promise<number>[] = [];

  const reject = (line: number, reason: string, raw: Buffer) => {
    counts.rejected++;
    if (storedRejects < maxStoredRejects) {
      storedRejects++;
      rejects.push({ line, reason, raw });
    }
  };

  const record = (fields: string[], line: number) => {
    if (counts.error !== null) return;
    if (plan === null) {
      try {
        plan = planRows(fields, columns);
        extraKeys = plan.extra.map((i) => JSON.stringify(plan!.header[i]));
      } catch (error) {
        counts.error = error instanceof FeedHeaderError ? error.message : String(error);
      }
      return;
    }
    counts.rowsRead++;
    const p: RowPlan = plan;
    if (fields.length !== p.header.length) return reject(line, `expected ${p.header.length} columns, found ${fields.length}`, rowBytes(fields));
    const ip = parseFeedIp(fields[p.ip]!.trim());
    if (ip === null) return reject(line, `"${clip(fields[p.ip]!)}" in column ${p.header[p.ip]} is not an IP address`, rowBytes(fields));
    const ms = parseFeedTime(fields[p.time]!);
    if (Number.isNaN(ms)) return reject(line, `"${clip(fields[p.time]!)}" in column ${p.header[p.time]} is not a timestamp`, rowBytes(fields));
    let port: number | null = null;
    if (p.port !== -1 && fields[p.port] !== '') {
      const text = fields[p.port]!;
      port = text.length <= 5 && /^\d+$/.test(text) ? Number(text) : -1;
      if (port < 0 || port > 65535) return reject(line, `"${clip(text)}" in column ${p.header[p.port]} is not a port (0-65535)`, rowBytes(fields));
    }
    let reportType = defaultType;
    let cls = fixedClass;
    if (p.reportType !== -1) {
      const given = fields[p.reportType]!.trim().toLowerCase();
      if (given !== '' && given.length <= 64) {
        reportType = given;
        cls = classifyReportType(given);
      }
    }
    const ipText = ip.text;
    if (ip.v4 !== -1) resolver.resolve4(ip.v4, out);
    else resolver.resolve6(ip.v6, out);
    let asn: number | null = out.asn !== 0 ? out.asn : null;
    if (asn === null && p.asn !== -1) {
      const given = fields[p.asn]!.replace(/^AS/i, '');
      if (given.length > 0 && given.length <= 10 && /^\d+$/.test(given) && Number(given) <= 4294967295) asn = Number(given);
    }
    let country = out.country;
    if (country === null && p.country !== -1 && COUNTRY.test(fields[p.country]!)) country = fields[p.country]!.toUpperCase();

    const extra = extraJson(fields, p.extra, extraKeys);

    const b = batch;
    b.fingerprint.push(hash('sha256', `${source}\u001f${reportType}\u001f${ipText}\u001f${port ?? ''}\u001f${Math.floor(ms / bucketMs)}`).slice(0, 32));
    b.reportType.push(reportType);
    b.taxonomy.push(cls.taxonomy);
    b.type.push(cls.type);
    b.time.push(ms / 1000);
    b.ip.push(ipText);
    b.port.push(port);
    b.protocol.push(p.protocol === -1 || fields[p.protocol] === '' ? null : fields[p.protocol]!);
    b.hostname.push(p.hostname === -1 || fields[p.hostname] === '' ? null : fields[p.hostname]!);
    b.tag.push(p.tag === -1 || fields[p.tag] === '' ? null : fields[p.tag]!);
    b.asn.push(asn);
    b.country.push(country);
    b.organisationId.push(out.organisationId);
    b.recipient.push(out.abuseEmail === null ? null : out.abuseEmail.toLowerCase());
    b.tlp.push(options.tlp);
    b.line.push(line);
    b.extra.push(extra);
    accepted++;
  };

  const heartbeat = heartbeatOf(db, runId);
  const flush = async (force: boolean) => {
    await heartbeat();
    if (batch.size >= batchSize || (force && batch.size > 0)) {
      const full = batch;
      batch = new EventBatch();
      while (inflight.length >= parallel) counts.eventsStored += await inflight.shift()!;
      const pending = insertEvents(db, runId, source, full);
      pending.catch(() => {}); // awaited below; keeps a failure from being "unhandled" meanwhile
      inflight.push(pending);
    }
    if (rejects.length >= 1000 || (force && rejects.length > 0)) {
      const rows = rejects;
      rejects = [];
      await insertRejects(db, runId, rows);
    }
  };

  const reader = new CsvReader({ record, reject }, options.limits);
  let failure: Error | null = null;
  try {
    for await (const chunk of input) {
      reader.push(
        typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
      );
      if (counts.error !== null) break;
      await flush(false);
      options.onProgress?.({ bytesRead: reader.bytesRead, rows: counts.rowsRead, events: accepted, rejected: counts.rejected });
    }
    if (counts.error === null) {
      reader.end();
      if (plan === null && counts.error === null) counts.error = 'The file is empty: no header row';
    }
    await flush(true);
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  }
  // Never leave an insert running past the run: wait for each, then surface the first failure.
  const settled = await Promise.allSettled(inflight.splice(0));
  for (const s of settled) if (s.status === 'fulfilled') counts.eventsStored += s.value;
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure !== null) throw failure;
  if (failed) throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  counts.bytesRead = reader.bytesRead;
  counts.duplicates = accepted - counts.eventsStored;
  options.onProgress?.({ bytesRead: reader.bytesRead, rows: counts.rowsRead, events: accepted, rejected: counts.rejected });
  return counts;
}

/** The row's non-empty unmapped columns as JSON text (keys already JSON-quoted), or null when there are none. */
function extraJson(fields: string[], columns: RowPlan['extra'], keys: string[]): string | null {
  let extra: string | null = null;
  for (let k = 0; k < columns.length; k++) {
    const value = fields[columns[k]!]!;
    if (value === '') continue;
    extra = extra === null ? `{${keys[k]}:${JSON.stringify(value)}` : `${extra},${keys[k]}:${JSON.stringify(value)}`;
  }
  return extra === null ? null : `${extra}}`;
}

function clip(value: string): string {
  return value.length > 60 ? `${value.slice(0, 60)}…` : value;
}

/** A rejected row's bytes for keeping (re-joined as CSV; the original file has it verbatim). */
function rowBytes(fields: string[]): Buffer {
  const text = fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
  return Buffer.from(text.length > 8192 ? text.slice(0, 8192) : text);
}
