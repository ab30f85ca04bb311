import type { Locale } from '@renkei/contract';
import { Group, Radio } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { isLocale, LOCALES } from '../../../lib/i18n.ts';
import { useMe, useSession } from '../../../lib/session.tsx';
import { SavedMark } from './saved-mark.tsx';
import { Section } from '../../../components/section.tsx';

export function LanguageSection() {
  const { t } = useTranslation();
  const me = useMe();
  const { update } = useSession();
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const choose = async (locale: Locale) => {
    setSaved(false);
    setError(null);
    try {
      await update({ locale });
      setSaved(true);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <Section title={t('settings.language.title')} description={t('settings.language.description')} testId="settings-language">
      <Radio.Group
        label={t('language.label')}
        value={me.locale}
        onChange={(value) => {
          if (isLocale(value)) void choose(value);
        }}
      >
        <Group mt="xs">
          {LOCALES.map((locale) => (
            <Radio key={locale} value={locale} label={t(`language.${locale}`)} lang={locale} data-testid={`settings-language-${locale}`} />
          ))}
        </Group>
      </Radio.Group>
      <SavedMark visible={saved} testId="language-saved" />
      {error !== null && <ErrorAlert error={error} onClose={() => setError(null)} />}
    </Section>
  );
}
