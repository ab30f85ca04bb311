import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.ts';

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
