import { LOCALES, type Locale } from '@renkei/contract';

/** One string in every language the public site speaks. `{name}` marks a value filled in at use. */
export type Translations = Readonly<Record<Locale, string>>;

/** Looks up a key of one catalogue in one language, filling `{name}` placeholders from `values`. */
export type Translate<K extends string> = (key: K, values?: Readonly<Record<string, string | number>>) => string;

/** A typed ja/en catalogue: its keys are the only ones `t` accepts. */
export interface Strings<K extends string> {
  readonly entries: Readonly<Record<K, Translations>>;
  /** The translator for one language. */
  in(locale: Locale): Translate<K>;
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/**
 * Declares a catalogue; the compiler then refuses an unknown key and an entry missing a language, and
 * `stringProblems` (run by each catalogue's test) refuses empty text and placeholders that differ.
 * @example const S = defineStrings({ hello: { en: 'Hello, {name}', ja: '{name} さん、こんにちは' } }); S.in('ja')('hello', { name: '山田' })
 */
export function defineStrings<K extends string>(entries: Record<K, Translations>): Strings<K> {
  return {
    entries,
    in(locale) {
      return (key, values) => {
        const text = entries[key][locale];
        return values ? text.replace(PLACEHOLDER, (whole, name: string) => (name in values ? String(values[name]) : whole)) : text;
      };
    },
  };
}

/**
 * What is wrong with a catalogue: a language missing or blank, a placeholder in one language only.
 * @example expect(stringProblems(SITE_STRINGS)).toEqual([])
 */
export function stringProblems(strings: { entries: Readonly<Record<string, Partial<Translations>>> }): string[] {
  const problems: string[] = [];
  for (const [key, entry] of Object.entries(strings.entries)) {
    const languages = Object.keys(entry).sort();
    if (languages.join() !== [...LOCALES].sort().join()) problems.push(`${key}: languages ${languages.join(', ')}, expected ${LOCALES.join(', ')}`);
    const placeholders = LOCALES.map((locale) =>
      [...(entry[locale] ?? '').matchAll(PLACEHOLDER)]
        .map((m) => m[1])
        .sort()
        .join(),
    );
    for (const locale of LOCALES) if (!entry[locale]?.trim()) problems.push(`${key}: ${locale} is empty`);
    if (new Set(placeholders).size > 1) problems.push(`${key}: placeholders differ between languages (${placeholders.join(' / ')})`);
  }
  return problems;
}

/** The frame's own strings, the form guard's, and the home page's. Other pages declare theirs beside their routes. */
export const SITE_STRINGS = defineStrings({
  'frame.otherLanguage': { en: '日本語', ja: 'English' },
  'frame.staffLogin': { en: 'Staff login', ja: 'スタッフ用ログイン' },
  'frame.footer': { en: 'the coordination CSIRT platform', ja: 'コーディネーション CSIRT プラットフォーム' },
  'form.honeypot': { en: 'Leave this field empty', ja: 'この欄は空のままにしてください' },
  'home.title': { en: 'Home', ja: 'ホーム' },
  'home.intro': {
    en: 'We receive incident reports, vulnerability reports and enquiries, and coordinate their handling with the parties who can act.',
    ja: 'インシデントの報告、脆弱性情報の届出、各種お問い合わせを受け付けています。',
  },
  'home.contact': { en: 'Contact', ja: '連絡先' },
  'home.email': { en: 'E-mail', ja: '電子メール' },
  'home.phone': { en: 'Telephone', ja: '電話' },
  'home.website': { en: 'Website', ja: 'ウェブサイト' },
  'home.pgp': { en: 'Please encrypt sensitive information with PGP.', ja: '機密性の高い情報は PGP で暗号化してお送りください。' },
  'home.pgpKey': { en: 'Our PGP key', ja: '当チームの PGP 公開鍵' },
  'home.fingerprint': { en: 'Fingerprint', ja: 'フィンガープリント' },
  'home.reporting': { en: 'Report to us', ja: '報告・届出' },
  'home.reportIncident': { en: 'Report an incident', ja: 'インシデントを報告する' },
  'home.reportVulnerability': { en: 'Report a vulnerability', ja: '脆弱性関連情報を届け出る' },
  'home.statistics': { en: 'Statistics', ja: '統計' },
  'home.statisticsLink': {
    en: 'Incident statistics: reports, incidents and coordinations per quarter',
    ja: 'インシデント統計(報告・インシデント・調整の件数、四半期ごと)',
  },
});

export type SiteStringKey = keyof typeof SITE_STRINGS.entries;
