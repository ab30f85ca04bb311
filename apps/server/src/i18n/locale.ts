import type { Locale } from '@renkei/contract';

export const LANG_COOKIE = 'renkei_lang';

/**
 * The language a public page is shown in: `?lang=`, then the remembered cookie, then Accept-Language.
 * @example pickLocale({ query: 'ja' }) // 'ja'
 */
export function pickLocale(sources: { query?: unknown; cookie?: string | undefined; acceptLanguage?: string | undefined }): Locale {
  for (const candidate of [sources.query, sources.cookie]) {
    if (candidate === 'ja' || candidate === 'en') return candidate;
  }
  const accept = (sources.acceptLanguage ?? '').slice(0, 200).toLowerCase();
  const ranked = accept
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((p) => p.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? '1',
      );
      return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0 };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('ja')) return 'ja';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}

/** Picks the string for a locale from a pair. */
export type Bilingual = Record<Locale, string>;
export const t = (text: Bilingual, locale: Locale): string => text[locale];
