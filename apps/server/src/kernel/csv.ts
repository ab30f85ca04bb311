// CSV both ways: the one writer every export uses, and the hardened reader for uploaded files.
import { BadRequestError } from './errors.ts';

/** A CSV cell: numbers are ours and written as they are; text is quoted as needed and defused. */
export type CsvCell = string | number | null;

// A spreadsheet runs a cell starting with one of these as a formula (OWASP CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One RFC 4180 cell: text starting with = + - @ tab or CR gets a leading apostrophe so no spreadsheet runs it;
 * quoted (quotes doubled) when it holds a comma, quote or line break, or starts or ends with white space.
 * @example csvCell('=HYPERLINK("x")') // '"\'=HYPERLINK(""x"")"'
 */
export function csvCell(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * RFC 4180 CSV: a header row, CRLF line ends, every cell written by `csvCell`.
 * @example toCsv(['month', 'reports'], [['2026-04', 3]]) // 'month,reports\r\n2026-04,3\r\n'
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export interface CsvRecord {
  /** Line number where the record starts (1 = first line). */
  line: number;
  fields: string[];
}

export interface CsvLimits {
  maxRecords: number;
  maxFields: number;
  maxFieldLength: number;
}

export const DEFAULT_CSV_LIMITS: CsvLimits = { maxRecords: 5000, maxFields: 40, maxFieldLength: 20_000 };

/**
 * RFC 4180 CSV: quoted fields with "" escapes and line breaks, CRLF or LF, a leading BOM dropped,
 * blank lines skipped. Structural faults and limits throw BadRequestError naming the line. `text` is untrusted input.
 * @example parseCsv('name,kind\n"ACME, Inc.",vendor\n') // [{ line: 1, fields: ['name','kind'] }, { line: 2, fields: ['ACME, Inc.','vendor'] }]
 */
export function parseCsv(text: string, limits: CsvLimits = DEFAULT_CSV_LIMITS): CsvRecord[] {
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (input.includes('\u0000'))
    throw new BadRequestError('csv_malformed', `Line ${lineOf(input, input.indexOf('\u0000'))}: the file contains a NUL byte; is it a CSV text file?`);
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  const pushField = () => {
    if (field.length > limits.maxFieldLength)
      throw new BadRequestError('csv_too_large', `Line ${recordLine}: a field is longer than ${limits.maxFieldLength} characters`);
    fields.push(field);
    if (fields.length > limits.maxFields) throw new BadRequestError('csv_too_large', `Line ${recordLine}: more than ${limits.maxFields} columns`);
    field = '';
    fieldStarted = false;
  };
  const pushRecord = () => {
    pushField();
    if (!(fields.length === 1 && fields[0] === '')) {
      records.push({ line: recordLine, fields });
      if (records.length > limits.maxRecords + 1) throw new BadRequestError('csv_too_large', `More than ${limits.maxRecords} rows: split the file`);
    }
    fields = [];
  };
  while (i < input.length) {
    const c = input[i]!;
    if (quoted) {
      if (c === '"') {
        if (input[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = input[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r')
          throw new BadRequestError('csv_malformed', `Line ${line}: text after a closing quote; write "" for a quote inside a quoted field`);
        continue;
      }
      if (c === '\n') line++;
      field += c;
      if (field.length > limits.maxFieldLength)
        throw new BadRequestError('csv_too_large', `Line ${recordLine}: a field is longer than ${limits.maxFieldLength} characters`);
      i++;
      continue;
    }
    if (c === '"') {
      if (fieldStarted || field.length > 0)
        throw new BadRequestError('csv_malformed', `Line ${line}: a quote in the middle of an unquoted field; quote the whole field`);
      quoted = true;
      fieldStarted = true;
      i++;
      continue;
    }
    if (c === ',') {
      pushField();
      i++;
      continue;
    }
    if (c === '\r' || c === '\n') {
      pushRecord();
      i += c === '\r' && input[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    field += c;
    i++;
  }
  if (quoted) throw new BadRequestError('csv_malformed', `Line ${recordLine}: a quoted field is never closed`);
  if (field.length > 0 || fields.length > 0) pushRecord();
  return records;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text[i] === '\n') line++;
  return line;
}
