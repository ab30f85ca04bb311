import { describe, expect, it } from 'vitest';
import { csvCell, parseCsv, toCsv } from './csv.ts';

describe('parseCsv', () => {
  it('Should read quoted fields with commas, quotes and line breaks, and number lines from the start of each record', () => {
    const records = parseCsv('\uFEFFname,notes\r\n"ACME, Inc.","said ""hi""\non two lines"\r\nplain,\n\nlast,x');
    expect(records).toEqual([
      { line: 1, fields: ['name', 'notes'] },
      { line: 2, fields: ['ACME, Inc.', 'said "hi"\non two lines'] },
      { line: 4, fields: ['plain', ''] },
      { line: 6, fields: ['last', 'x'] },
    ]);
  });

  it('Should refuse an unclosed quote, stray quotes and NUL bytes, naming the line', () => {
    expect(() => parseCsv('a,b\n"never closed,x\n')).toThrow(/Line 2: a quoted field is never closed/);
    expect(() => parseCsv('a,b\nab"c,d\n')).toThrow(/Line 2: a quote in the middle/);
    expect(() => parseCsv('a,b\n"x"y,d\n')).toThrow(/Line 2: text after a closing quote/);
    expect(() => parseCsv('a,b\nx,\u0000\n')).toThrow(/Line 2: the file contains a NUL byte/);
  });

  it('Should stop at its limits on rows, columns and field length', () => {
    const limits = { maxRecords: 3, maxFields: 4, maxFieldLength: 10 };
    expect(() => parseCsv('h\n1\n2\n3\n4\n5\n', limits)).toThrow(/More than 3 rows/);
    expect(() => parseCsv('a,b,c,d,e\n', limits)).toThrow(/more than 4 columns/);
    expect(() => parseCsv(`a\n${'x'.repeat(11)}\n`, limits)).toThrow(/longer than 10/);
    expect(() => parseCsv(`a\n"${'x'.repeat(100_000)}`, limits)).toThrow(/longer than 10/);
  });

  it('Should read a large file of ordinary rows quickly', () => {
    const text = `name,kind\n${Array.from({ length: 5000 }, (_, i) => `Org ${i},isp`).join('\n')}`;
    const started = performance.now();
    expect(parseCsv(text)).toHaveLength(5001);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('toCsv', () => {
  it('Should write a header row and CRLF-terminated records', () => {
    expect(
      toCsv(
        ['month', 'reports'],
        [
          ['2026-04', 3],
          ['2026-05', 0],
        ],
      ),
    ).toBe('month,reports\r\n2026-04,3\r\n2026-05,0\r\n');
  });

  it('Should quote fields with commas, quotes and line breaks and double the quotes (RFC 4180)', () => {
    expect(toCsv(['a'], [['x,y'], ['say "hi"'], ['two\nlines'], ['cr\rlf']])).toBe('a\r\n"x,y"\r\n"say ""hi"""\r\n"two\nlines"\r\n"cr\rlf"\r\n');
  });

  it('Should defuse text that a spreadsheet would run as a formula, and leave numbers (even negative) alone', () => {
    const out = toCsv(['v'], [['=HYPERLINK("http://x")'], ['+1'], ['-2+3'], ['@SUM(A1)'], ['\tx'], [-3], [null]]);
    expect(out.split('\r\n')).toEqual(['v', `"'=HYPERLINK(""http://x"")"`, "'+1", "'-2+3", "'@SUM(A1)", "'\tx", '-3', '', '']);
  });
});

describe('csvCell', () => {
  it('Should quote text with leading or trailing white space so a spreadsheet keeps it, and write non-finite numbers as empty', () => {
    expect([' x', 'y ', Number.NaN, Number.POSITIVE_INFINITY].map(csvCell)).toEqual(['" x"', '"y "', '', '']);
  });
});
