import { describe, expect, it } from 'vitest';
import { PRODUCT_LIMITS, readEntries } from './entry-lists.ts';

describe('readEntries', () => {
  it('Should trim, drop blank lines and keep repeats once, in the order typed', () => {
    expect(readEntries('  pkg:npm/a \r\n\r\n pkg:npm/b\npkg:npm/a\r', PRODUCT_LIMITS.purls)).toEqual({ ok: true, entries: ['pkg:npm/a', 'pkg:npm/b'] });
    expect(readEntries('', PRODUCT_LIMITS.cpes)).toEqual({ ok: true, entries: [] });
    expect(readEntries('\n \n\t\n', PRODUCT_LIMITS.cpes)).toEqual({ ok: true, entries: [] });
  });

  it('Should split keywords on commas (also the Japanese 、) but never a CPE name, where a comma is legal', () => {
    expect(readEntries('router, ルーター、 firmware\nCWE-79', PRODUCT_LIMITS.keywords)).toEqual({
      ok: true,
      entries: ['router', 'ルーター', 'firmware', 'CWE-79'],
    });
    const cpe = 'cpe:2.3:a:acme:router\\,pro:1.0:*:*:*:*:*:*:*';
    expect(readEntries(cpe, PRODUCT_LIMITS.cpes)).toEqual({ ok: true, entries: [cpe] });
  });

  it('Should refuse more entries than the server takes, and one entry longer than it takes', () => {
    const many = Array.from({ length: 201 }, (_, i) => `pkg:npm/p${i}`).join('\n');
    expect(readEntries(many, PRODUCT_LIMITS.purls)).toEqual({ ok: false, problem: 'too_many', count: 201 });
    const exactly = Array.from({ length: 200 }, (_, i) => `pkg:npm/p${i}`).join('\n');
    expect(readEntries(exactly, PRODUCT_LIMITS.purls)).toMatchObject({ ok: true });
    const long = `cpe:2.3:a:${'x'.repeat(1100)}`;
    expect(readEntries(`cpe:2.3:a:acme:ok\n${long}`, PRODUCT_LIMITS.cpes)).toEqual({ ok: false, problem: 'too_long', entry: long.slice(0, 60) });
  });

  it('Should refuse a pasted megabyte without splitting it, and keep hostile text as plain text', () => {
    expect(readEntries('a\n'.repeat(600_000), PRODUCT_LIMITS.keywords)).toMatchObject({ ok: false, problem: 'too_many' });
    expect(readEntries(',,,,\n,,,', PRODUCT_LIMITS.keywords)).toEqual({ ok: true, entries: [] });
    const hostile = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'a\u0000b', '\u202Eevil', 'pkg:npm/%00'];
    expect(readEntries(hostile.join('\n'), PRODUCT_LIMITS.purls)).toEqual({ ok: true, entries: hostile });
  });
});
