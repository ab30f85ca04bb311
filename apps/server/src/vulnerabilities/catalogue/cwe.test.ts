import { describe, expect, it } from 'vitest';
import { CWE_CATALOGUE_SIZE, CweError, cweName, isKnownCwe, normaliseCweId, searchCwe } from './cwe.ts';

const XSS = "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')";

describe('cweName and isKnownCwe', () => {
  it('Should name CWE-79 whether written CWE-79, cwe-79, CWE-079, 79 or the number 79', () => {
    for (const id of ['CWE-79', 'cwe-79', 'CWE-079', '79', ' 79 ', 79]) expect(cweName(id)).toBe(XSS);
  });

  it('Should bundle the whole csaf-validator-lib list plus the two NVD pseudo-entries', () => {
    expect(CWE_CATALOGUE_SIZE).toBeGreaterThanOrEqual(968 + 2);
    expect(cweName('CWE-787')).toBe('Out-of-bounds Write');
  });

  it('Should know NVD-CWE-Other and NVD-CWE-noinfo in any case', () => {
    expect(cweName('NVD-CWE-Other')).toBe('Other');
    expect(cweName('nvd-cwe-NOINFO')).toBe('Insufficient Information');
    expect(isKnownCwe('NVD-CWE-noinfo')).toBe(true);
  });

  it('Should answer null and false for an unknown or malformed id, never throw', () => {
    for (const id of ['CWE-9999999', 'CWE-0', 'XSS', '', 'CWE-', 'CWE-79x', '-79', '7.9', 'CWE-1'.padEnd(10_000, '1'), Number.NaN, -1]) {
      expect(cweName(id)).toBeNull();
      expect(isKnownCwe(id)).toBe(false);
    }
    expect(cweName(null as unknown as string)).toBeNull();
    expect(cweName({ toString: () => 'CWE-79' } as unknown as string)).toBeNull();
  });
});

describe('normaliseCweId', () => {
  it('Should give the canonical spelling, for unknown but well-formed ids too', () => {
    expect(normaliseCweId(' cwe-0079 ')).toBe('CWE-79');
    expect(normaliseCweId('1999')).toBe('CWE-1999');
    expect(normaliseCweId('CWE-9999999')).toBe('CWE-9999999');
    expect(normaliseCweId('nvd-cwe-other')).toBe('NVD-CWE-Other');
  });

  it('Should throw a CweError with a clear message for anything else', () => {
    for (const input of ['CWE-79 ; DROP TABLE', 'CWE-12345678', 'CVE-2024-1234', 'CWE--79', 'CWE 79', '７９', 'x'.repeat(1_000_000)]) {
      expect(() => normaliseCweId(input)).toThrow(CweError);
    }
    expect(() => normaliseCweId('XSS')).toThrow(/Not a CWE id: "XSS"/);
    try {
      normaliseCweId('bogus');
    } catch (error) {
      expect(error).toMatchObject({ status: 400, code: 'invalid_cwe_id' });
    }
  });
});

describe('searchCwe', () => {
  it('Should put the exact id first, then ids with that number as prefix in numeric order', () => {
    const ids = searchCwe('79', 5).map((entry) => entry.id);
    expect(ids[0]).toBe('CWE-79');
    expect(ids.slice(1).every((id) => id.startsWith('CWE-79'))).toBe(true);
    expect(searchCwe('CWE-20', 3).map((entry) => entry.id)).toEqual(['CWE-20', 'CWE-200', 'CWE-201']);
  });

  it('Should match every word of the query in the name, case-insensitively, the whole phrase first', () => {
    const results = searchCwe('SQL injection');
    expect(results[0]?.name).toMatch(/SQL Injection/);
    expect(results.every((entry) => /sql/i.test(entry.name) && /injection/i.test(entry.name))).toBe(true);
    expect(searchCwe('scripting cross-site').map((entry) => entry.id)).toContain('CWE-79');
  });

  it('Should find the pseudo-entries by id and by name', () => {
    expect(searchCwe('NVD-CWE-noinfo')[0]?.id).toBe('NVD-CWE-noinfo');
    expect(searchCwe('insufficient information').map((entry) => entry.id)).toContain('NVD-CWE-noinfo');
  });

  it('Should keep the limit between 1 and 100 and answer nothing for an empty query', () => {
    expect(searchCwe('a', 1_000)).toHaveLength(100);
    expect(searchCwe('a', 0)).toHaveLength(1);
    expect(searchCwe('a', Number.NaN)).toHaveLength(20);
    expect(searchCwe('   ')).toEqual([]);
    expect(searchCwe('!!!')).toEqual([]);
    expect(searchCwe('no such weakness anywhere')).toEqual([]);
  });

  it('Should refuse an over-long query, and treat regex characters as plain text', () => {
    expect(() => searchCwe('a'.repeat(201))).toThrow(CweError);
    expect(() => searchCwe(undefined as unknown as string)).toThrow(CweError);
    expect(searchCwe("'..\\filedir'")[0]?.id).toBe('CWE-28');
    expect(searchCwe('(a+)+$ .* [ \\')).toEqual(searchCwe('a'));
  });
});
