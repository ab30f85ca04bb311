import { describe, expect, it } from 'vitest';
import { type CsvLimits, CsvReader } from './csv-reader.ts';

function read(input: string | Buffer, limits: Partial<CsvLimits> = {}, chunkSize = 0) {
  const records: { line: number; fields: string[] }[] = [];
  const rejects: { line: number; reason: string; raw: string }[] = [];
  const reader = new CsvReader(
    { record: (fields, line) => records.push({ line, fields }), reject: (line, reason, raw) => rejects.push({ line, reason, raw: raw.toString('utf8') }) },
    limits,
  );
  const bytes = typeof input === 'string' ? Buffer.from(input) : input;
  if (chunkSize > 0) for (let i = 0; i < bytes.length; i += chunkSize) reader.push(bytes.subarray(i, i + chunkSize));
  else reader.push(bytes);
  reader.end();
  return { records, rejects };
}

describe('CsvReader', () => {
  it('Should read quoted fields, escaped quotes, embedded newlines, CRLF and a BOM, in any chunking', () => {
    const input = '\ufeffa,b,c\r\n1,"x, ""y""",3\r\n2,"multi\nline",\r\n\r\n4,,"last"';
    for (const chunk of [0, 1, 2, 3, 7]) {
      const { records, rejects } = read(input, {}, chunk);
      expect(rejects).toEqual([]);
      expect(records).toEqual([
        { line: 1, fields: ['a', 'b', 'c'] },
        { line: 2, fields: ['1', 'x, "y"', '3'] },
        { line: 3, fields: ['2', 'multi\nline', ''] },
        { line: 6, fields: ['4', '', 'last'] },
      ]);
    }
  });

  it('Should reject an unterminated quote on its own line and read the lines after it', () => {
    const { records, rejects } = read('h1,h2\n1,"open\n2,b\n3,c\n', { maxRecordLines: 1 });
    expect(rejects).toMatchObject([{ line: 2, reason: expect.stringContaining('unterminated quoted field') }]);
    expect(records.map((r) => r.line)).toEqual([1, 3, 4]);
  });

  it('Should reject an unterminated quote at the end of the file and keep everything before it', () => {
    const { records, rejects } = read('h\n1\n"never closed\nmore');
    expect(records.map((r) => r.fields)).toEqual([['h'], ['1'], ['more']]);
    expect(rejects).toMatchObject([{ line: 3 }]);
  });

  it('Should reject oversized fields, overlong lines, NUL bytes, too many columns and text after a quote, by line', () => {
    const big = 'x'.repeat(2000);
    const input = `a,b\n${big},1\n"ok",2\nnul\u0000here,3\n${'c,'.repeat(50)}c\n"q"tail,4\n${'y'.repeat(9000)}\nend,5\n`;
    const { records, rejects } = read(input, { maxFieldBytes: 1000, maxRecordBytes: 5000, maxColumns: 20 }, 1024);
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [2, 'column 1 is larger than 1000 bytes'],
      [4, 'column 1 contains a NUL byte (binary data?)'],
      [5, 'more than 20 columns'],
      [6, 'text after the closing quote of column 1'],
      [7, 'line longer than 5000 bytes'],
    ]);
    expect(records.map((r) => r.line)).toEqual([1, 3, 8]);
    expect(rejects[3]!.raw).toBe('"q"tail,4\n');
  });

  it('Should never hang on a file of quotes and newlines', () => {
    const input = Buffer.from('"x\n'.repeat(200_000));
    const started = Date.now();
    const { rejects } = read(input, {}, 65536);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(rejects.length).toBeGreaterThan(0);
  });
});
