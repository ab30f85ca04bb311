import type { Locale } from '@renkei/contract';
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from '../locales/en.json';
import ja from '../locales/ja.json';

export const LOCALES: readonly Locale[] = ['en', 'ja'];
const STORAGE_KEY = 'renkei.locale';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}

export function isLocale(value: unknown): value is Locale {
  return value === 'en' || value === 'ja';
}

/** The language to start in before anyone logs in: the last one chosen here, else the browser's. */
function initialLocale(): Locale {
  const stored = readStoredLocale();
  if (stored) return stored;
  return navigator.languages.some((tag) => tag.toLowerCase().startsWith('ja')) ? 'ja' : 'en';
}

function readStoredLocale(): Locale | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLocale(value) ? value : null;
  } catch {
    return null;
  }
}

export const i18n = i18next.createInstance();

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, ja: { translation: ja } },
  lng: initialLocale(),
  fallbackLng: 'en',
  supportedLngs: LOCALES,
  // React escapes text when it renders; escaping here as well would show &amp; and the like.
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

document.documentElement.lang = i18n.language;
i18n.on('languageChanged', (language) => {
  document.documentElement.lang = language;
});

/**
 * Switches the UI language and remembers it in this browser (used before login and after logout).
 * @example await setUiLocale('ja');
 */
export async function setUiLocale(locale: Locale): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Storage may be disabled; the choice then lasts for this page only.
  }
  if (i18n.language !== locale) await i18n.changeLanguage(locale);
}

/** The current UI language as a Locale. */
export function currentLocale(): Locale {
  return isLocale(i18n.resolvedLanguage) ? i18n.resolvedLanguage : 'en';
}
