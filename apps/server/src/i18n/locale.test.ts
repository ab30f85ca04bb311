import { describe, expect, it } from 'vitest';
import { pickLocale, t } from './locale.ts';

describe('pickLocale', () => {
  it('Should take ?lang= first, then the cookie, then Accept-Language, then English', () => {
    expect(pickLocale({ query: 'ja', cookie: 'en', acceptLanguage: 'en' })).toBe('ja');
    expect(pickLocale({ query: undefined, cookie: 'ja', acceptLanguage: 'en' })).toBe('ja');
    expect(pickLocale({ acceptLanguage: 'ja' })).toBe('ja');
    expect(pickLocale({})).toBe('en');
  });

  it.each([
    ['ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7', 'ja'],
    ['en-GB,en;q=0.9,ja;q=0.8', 'en'],
    ['en;q=0.5, ja;q=0.9', 'ja'],
    ['JA', 'ja'],
    ['fr-CA,fr;q=0.9,ja;q=0.1', 'ja'],
    ['ja;q=0, en;q=0.1', 'en'],
    ['*', 'en'],
    ['ja;q=abc', 'en'],
    ['', 'en'],
  ])('Should read Accept-Language %j as %s', (acceptLanguage, expected) => {
    expect(pickLocale({ acceptLanguage })).toBe(expected);
  });

  it.each([['xx'], [['ja', 'en']], [{ toString: (): string => 'ja' }], ['ja\u0000'], ['JA'], [' ja']])(
    'Should ignore a query value that is not exactly ja or en: %j',
    (query) => {
      expect(pickLocale({ query, acceptLanguage: 'en' })).toBe('en');
    },
  );

  it('Should stay quick and sane on a huge or hostile Accept-Language header', () => {
    const started = Date.now();
    expect(pickLocale({ acceptLanguage: `${'x-'.repeat(100_000)},ja` })).toBe('en');
    expect(pickLocale({ acceptLanguage: ';;;,,,q=,=;q' })).toBe('en');
    expect(Date.now() - started).toBeLessThan(100);
  });
});

describe('t', () => {
  it('Should pick the string of the locale', () => {
    expect(t({ ja: '連絡先', en: 'Contact' }, 'ja')).toBe('連絡先');
    expect(t({ ja: '連絡先', en: 'Contact' }, 'en')).toBe('Contact');
  });
});
