/** A CSV cell: numbers are ours and written as they are; text is quoted as needed and defused. */
export type CsvCell = string | number | null;

// A spreadsheet runs a cell starting with one of these as a formula (OWASP CSV injection).
const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: CsvCell): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * RFC 4180 CSV: a header row, CRLF line ends, fields with comma, quote or line breaks quoted with quotes
 * doubled. Text cells starting with = + - @ tab or CR get a leading apostrophe so no spreadsheet runs them.
 * @example toCsv(['month', 'reports'], [['2026-04', 3]]) // 'month,reports\r\n2026-04,3\r\n'
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
