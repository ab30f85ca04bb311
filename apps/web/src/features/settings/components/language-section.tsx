import { Group, Radio } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { isLocale, LOCALES } from '../../../lib/i18n.ts';
import { useMe } from '../../../lib/session.tsx';
import { useUpdateMe } from '../api/me.ts';
import { SavedMark } from './saved-mark.tsx';
import { Section } from '../../../components/section.tsx';

export function LanguageSection() {
  const { t } = useTranslation();
  const me = useMe();
  const update = useUpdateMe();

  return (
    <Section title={t('settings.language.title')} description={t('settings.language.description')} testId="settings-language">
      <Radio.Group
        label={t('language.label')}
        value={me.locale}
        onChange={(value) => {
          if (isLocale(value)) update.mutate({ locale: value });
        }}
      >
        <Group mt="xs">
          {LOCALES.map((locale) => (
            <Radio key={locale} value={locale} label={t(`language.${locale}`)} lang={locale} data-testid={`settings-language-${locale}`} />
          ))}
        </Group>
      </Radio.Group>
      <SavedMark visible={update.isSuccess} testId="language-saved" />
      {update.error !== null && <ErrorAlert error={update.error} onClose={update.reset} />}
    </Section>
  );
}
