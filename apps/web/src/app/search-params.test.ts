import { describe, expect, it } from 'vitest';
import { parseSearch, safeNext, stringifySearch } from './search-params.ts';

describe('search params', () => {
  it('Should read values as plain strings, numbers and quotes included', () => {
    expect(parseSearch('?q=64500&kind=isp')).toEqual({ q: '64500', kind: 'isp' });
    expect(parseSearch('?q=%22quoted%22')).toEqual({ q: '"quoted"' });
    expect(parseSearch('?id=a&id=b')).toEqual({ id: 'a' });
    expect(parseSearch('')).toEqual({});
  });

  it('Should write plain strings and leave out empty values', () => {
    expect(stringifySearch({ q: 'AS64500 東京', kind: undefined, empty: '' })).toBe('?q=AS64500+%E6%9D%B1%E4%BA%AC');
    expect(stringifySearch({})).toBe('');
    expect(parseSearch(stringifySearch({ next: '/incidents/x?y=1' }))).toEqual({ next: '/incidents/x?y=1' });
  });
});

describe('safeNext', () => {
  it('Should keep a path inside the app', () => {
    expect(safeNext('/statistics')).toBe('/statistics');
    expect(safeNext('/contacts?q=AS64500')).toBe('/contacts?q=AS64500');
  });

  it('Should send anything else to the home page', () => {
    for (const next of [undefined, '', 'https://evil.example/', '//evil.example/', '/\\evil.example', 'javascript:alert(1)', '/\tx']) {
      expect(safeNext(next)).toBe('/');
    }
  });
});
