import type { Locale } from '@renkei/contract';
import { Button } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { currentLocale, LOCALES, setUiLocale } from '../lib/i18n.ts';
import { useSession } from '../lib/session.tsx';

const LABELS: Record<Locale, string> = { en: 'EN', ja: '日本語' };

/**
 * EN / 日本語. Logged in, the choice is saved to the account (PATCH /me); before login it is kept in
 * this browser only.
 */
export function LanguageSwitch() {
  const { t } = useTranslation();
  const { status, update } = useSession();
  const active = currentLocale();

  const choose = (locale: Locale) => {
    if (locale === active) return;
    // Switch at once; the account copy follows. If saving fails the choice still holds in this browser.
    void setUiLocale(locale);
    if (status === 'authenticated') update({ locale }).catch(() => undefined);
  };

  return (
    <Button.Group aria-label={t('language.label')}>
      {LOCALES.map((locale) => (
        <Button
          key={locale}
          size="xs"
          variant={locale === active ? 'filled' : 'default'}
          lang={locale}
          aria-pressed={locale === active}
          title={t('language.switchTo', { language: t(`language.${locale}`) })}
          data-testid={`lang-${locale}`}
          onClick={() => choose(locale)}
        >
          {LABELS[locale]}
        </Button>
      ))}
    </Button.Group>
  );
}
