import { describe, expect, it } from 'vitest';
import { REPORT_PAGE_STRINGS } from '../incidents/index.ts';
import { STATISTICS_PAGE_STRINGS } from '../statistics/index.ts';
import { SITE_STRINGS, defineStrings, stringProblems } from './strings.ts';

describe('the public-site string catalogues', () => {
  it.each([
    ['the site frame and home page', SITE_STRINGS],
    ['the report form and status page', REPORT_PAGE_STRINGS],
    ['the statistics page', STATISTICS_PAGE_STRINGS],
  ])('Should have every key of %s in Japanese and English, none blank, with the same placeholders', (_name, strings) => {
    expect(stringProblems(strings)).toEqual([]);
    expect(Object.keys(strings.entries).length).toBeGreaterThan(0);
  });

  it('Should name an entry missing a language, a blank one, and placeholders that differ', () => {
    const broken = {
      entries: {
        fine: { en: 'Hello {name}', ja: '{name} さん' },
        onlyEnglish: { en: 'Only English' },
        blank: { en: 'Text', ja: '  ' },
        placeholders: { en: 'Quarter {q} of {year}', ja: '{year}年度 第{quarter}四半期' },
      },
    };
    // A catalogue built around the compiler (from JSON, say) is still checked at run time.
    const problems = stringProblems(broken);
    expect(problems).toEqual([
      'onlyEnglish: languages en, expected en, ja',
      'onlyEnglish: ja is empty',
      'blank: ja is empty',
      'placeholders: placeholders differ between languages (q,year / quarter,year)',
    ]);
  });

  it('Should fill placeholders by name, and leave unknown ones as written', () => {
    const strings = defineStrings({ greeting: { en: 'Hello, {name}: {count} new', ja: '{name} さん、新着 {count} 件' } });
    expect(strings.in('en')('greeting', { name: 'Yamada', count: 3 })).toBe('Hello, Yamada: 3 new');
    expect(strings.in('ja')('greeting', { name: '山田' })).toBe('山田 さん、新着 {count} 件');
    expect(strings.in('ja')('greeting')).toBe('{name} さん、新着 {count} 件');
  });
});
