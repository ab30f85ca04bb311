/**
 * A streaming CSV reader over bytes (RFC 4180: quoted fields, "" escapes, embedded newlines, CRLF or LF,
 * a UTF-8 BOM). Feed files are untrusted input: every record is bounded (bytes, lines, columns, field
 * size), a record that breaks a rule is rejected with its line number and the reader carries on, and an
 * unterminated quote costs the one line it starts on, never the rest of the file.
 */

export interface CsvLimits {
  /** Largest field, in bytes. */
  maxFieldBytes: number;
  /** Largest record, in bytes (all its lines). */
  maxRecordBytes: number;
  /** Most physical lines one quoted record may span. */
  maxRecordLines: number;
  maxColumns: number;
}

export const DEFAULT_CSV_LIMITS: Readonly<CsvLimits> = { maxFieldBytes: 1 << 20, maxRecordBytes: 4 << 20, maxRecordLines: 100, maxColumns: 2000 };

export interface CsvHandlers {
  /** A good record: its fields and the line it starts on (1 = first line of the file). */
  record(fields: string[], line: number): void;
  /** A record broken beyond reading: its line, why, and its first bytes. */
  reject(line: number, reason: string, raw: Buffer): void;
}

/** How much of a rejected record is kept beside its reason. */
export const REJECT_EXCERPT_BYTES = 8192;

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

type Scan =
  | { kind: 'record'; next: number; lines: number; fields: string[]; error: string | null }
  | { kind: 'incomplete' }
  /** Past a limit: `quoted` tells whether it happened inside a quoted field. */
  | { kind: 'runaway'; quoted: boolean; reason: string };

/**
 * Feeds chunks in, gets records out through the handlers, in order.
 * @example const reader = new CsvReader({ record: (f, line) => rows.push(f), reject: (line, why) => bad.push(line) }); reader.push(buf); reader.end();
 */
export class CsvReader {
  private buffer: Buffer = Buffer.alloc(0);
  private line = 1;
  private started = false;
  /** Dropping a too-long line until its newline arrives; the line it started on. */
  private skipping: { line: number; reason: string; excerpt: Buffer } | null = null;
  private readonly limits: CsvLimits;
  /** Bytes consumed so far (for progress). */
  bytesRead = 0;

  constructor(
    private readonly handlers: CsvHandlers,
    limits: Partial<CsvLimits> = {},
  ) {
    this.limits = { ...DEFAULT_CSV_LIMITS, ...limits };
  }

  push(chunk: Buffer): void {
    this.bytesRead += chunk.length;
    let data = chunk;
    if (this.skipping) {
      const newline = data.indexOf(LF);
      if (newline === -1) return;
      this.handlers.reject(this.skipping.line, this.skipping.reason, this.skipping.excerpt);
      this.skipping = null;
      this.line++;
      data = data.subarray(newline + 1);
    }
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    if (!this.started) {
      if (this.buffer.length < 3) return;
      this.started = true;
      if (this.buffer[0] === 0xef && this.buffer[1] === 0xbb && this.buffer[2] === 0xbf) this.buffer = this.buffer.subarray(3);
    }
    this.drain(false);
  }

  end(): void {
    if (this.skipping) {
      this.handlers.reject(this.skipping.line, this.skipping.reason, this.skipping.excerpt);
      this.skipping = null;
      this.buffer = Buffer.alloc(0);
      return;
    }
    if (!this.started && this.buffer.length >= 3 && this.buffer[0] === 0xef && this.buffer[1] === 0xbb && this.buffer[2] === 0xbf)
      this.buffer = this.buffer.subarray(3);
    this.started = true;
    this.drain(true);
    this.buffer = Buffer.alloc(0);
  }

  private drain(final: boolean): void {
    const buf = this.buffer;
    const end = buf.length;
    let pos = 0;
    while (pos < end) {
      const scan = scanRecord(buf, pos, end, final, this.limits);
      if (scan.kind === 'incomplete') break;
      if (scan.kind === 'record') {
        const blank = scan.fields.length === 1 && scan.fields[0] === '' && scan.error === null;
        if (scan.error !== null) this.handlers.reject(this.line, scan.error, excerpt(buf, pos, scan.next));
        else if (!blank) this.handlers.record(scan.fields, this.line);
        this.line += scan.lines;
        pos = scan.next;
        continue;
      }
      // Runaway: reject the record's first line and start again on the next line, so an unterminated
      // quote costs one line. A line too long to hold is dropped up to its newline.
      const newline = buf.indexOf(LF, pos);
      const reason = scan.quoted
        ? `unterminated quoted field (no closing quote within ${this.limits.maxRecordLines} lines or ${this.limits.maxRecordBytes} bytes)`
        : scan.reason;
      if (newline === -1) {
        if (final) {
          this.handlers.reject(this.line, reason, excerpt(buf, pos, end));
          pos = end;
        } else {
          this.skipping = { line: this.line, reason, excerpt: excerpt(buf, pos, end) };
          pos = end;
        }
        break;
      }
      this.handlers.reject(this.line, reason, excerpt(buf, pos, newline + 1));
      this.line++;
      pos = newline + 1;
    }
    this.buffer = pos >= end ? Buffer.alloc(0) : buf.subarray(pos);
    // Keep the tail's own copy when it is small beside the chunk it sits in, so chunks are not pinned.
    if (this.buffer.length > 0 && this.buffer.length < 65536 && buf.length > 1 << 20) this.buffer = Buffer.from(this.buffer);
  }
}

function excerpt(buf: Buffer, from: number, to: number): Buffer {
  return Buffer.from(buf.subarray(from, Math.min(to, from + REJECT_EXCERPT_BYTES)));
}

// Buffer#utf8Slice is what toString('utf8', a, b) calls after its argument checks; the bounds here are known good.
type FastBuffer = Buffer & { utf8Slice(start: number, end: number): string };
const decode = (buf: Buffer, from: number, to: number) => (from === to ? '' : (buf as FastBuffer).utf8Slice(from, to));

/** The rule a field breaks, or null; checked before the field is decoded. */
function fieldError(count: number, bytes: number, nul: boolean, limits: CsvLimits): string | null {
  if (count >= limits.maxColumns) return `more than ${limits.maxColumns} columns`;
  if (bytes > limits.maxFieldBytes) return `column ${count + 1} is larger than ${limits.maxFieldBytes} bytes`;
  if (nul) return `column ${count + 1} contains a NUL byte (binary data?)`;
  return null;
}

/** Scans one record starting at `start`. Hot path: bytes and indices only, one string made per field. */
function scanRecord(buf: Buffer, start: number, end: number, final: boolean, limits: CsvLimits): Scan {
  const fields: string[] = [];
  let error: string | null = null;
  let newlines = 0;
  let i = start;
  const recordLimit = start + limits.maxRecordBytes;
  for (;;) {
    if (i < end && buf[i] === QUOTE) {
      i++;
      let segment = i;
      let value = '';
      let nul = false;
      const fieldStart = i;
      for (;;) {
        if (i >= end) {
          if (!final) return { kind: 'incomplete' };
          return { kind: 'runaway', quoted: true, reason: 'unterminated quoted field' };
        }
        const b = buf[i]!;
        if (b === QUOTE) {
          if (i + 1 >= end && !final) return { kind: 'incomplete' };
          if (buf[i + 1] === QUOTE) {
            if (i + 1 - fieldStart <= limits.maxFieldBytes) value += decode(buf, segment, i + 1);
            i += 2;
            segment = i;
            continue;
          }
          if (i - fieldStart <= limits.maxFieldBytes) value += decode(buf, segment, i);
          i++;
          break;
        }
        if (b === LF) {
          newlines++;
          if (newlines > limits.maxRecordLines) return { kind: 'runaway', quoted: true, reason: 'unterminated quoted field' };
        } else if (b === 0) nul = true;
        i++;
        if (i > recordLimit) return { kind: 'runaway', quoted: true, reason: 'unterminated quoted field' };
      }
      if (error === null) {
        error = fieldError(fields.length, i - 1 - fieldStart, nul, limits);
        if (error === null) fields.push(value);
      }
      if (i >= end) {
        if (!final) return { kind: 'incomplete' };
        return { kind: 'record', next: end, lines: newlines + 1, fields, error };
      }
      const b = buf[i]!;
      if (b === COMMA) {
        i++;
        continue;
      }
      if (b === LF) return { kind: 'record', next: i + 1, lines: newlines + 1, fields, error };
      if (b === CR && i + 1 >= end && !final) return { kind: 'incomplete' };
      if (b === CR && (i + 1 >= end || buf[i + 1] === LF)) return { kind: 'record', next: Math.min(i + 2, end), lines: newlines + 1, fields, error };
      // Text after a closing quote: the record is malformed; read on to its end to reject it whole.
      error ??= `text after the closing quote of column ${fields.length}`;
      while (i < end && buf[i] !== LF) {
        i++;
        if (i > recordLimit) return { kind: 'runaway', quoted: false, reason: `record longer than ${limits.maxRecordBytes} bytes` };
      }
      if (i >= end && !final) return { kind: 'incomplete' };
      return { kind: 'record', next: Math.min(i + 1, end), lines: newlines + 1, fields, error };
    }
    const from = i;
    let nul = false;
    while (i < end) {
      const b = buf[i]!;
      if (b === COMMA || b === LF) break;
      if (b === 0) nul = true;
      i++;
    }
    if (i > recordLimit) return { kind: 'runaway', quoted: false, reason: `line longer than ${limits.maxRecordBytes} bytes` };
    if (i >= end && !final) return { kind: 'incomplete' };
    let to = i;
    if (to > from && buf[to - 1] === CR && (i >= end || buf[i] === LF)) to--;
    if (error === null) {
      error = fieldError(fields.length, to - from, nul, limits);
      if (error === null) fields.push(decode(buf, from, to));
    }
    if (i >= end) return { kind: 'record', next: end, lines: newlines + 1, fields, error };
    if (buf[i] === COMMA) {
      i++;
      continue;
    }
    return { kind: 'record', next: i + 1, lines: newlines + 1, fields, error };
  }
}

/**
 * Reads a whole stream through a CsvReader.
 * @example await readCsv(fs.createReadStream(file), handlers);
 */
export async function readCsv(
  stream: AsyncIterable<Buffer | Uint8Array | string>,
  handlers: CsvHandlers,
  limits?: Partial<CsvLimits>,
  onChunk?: (bytesRead: number) => void | Promise<void>,
): Promise<void> {
  const reader = new CsvReader(handlers, limits);
  for await (const chunk of stream) {
    reader.push(
      typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
    );
    if (onChunk) await onChunk(reader.bytesRead);
  }
  reader.end();
  if (onChunk) await onChunk(reader.bytesRead);
}
