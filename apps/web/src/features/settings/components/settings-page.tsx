import { Stack, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { LanguageSection } from './language-section.tsx';
import { ProfileSection } from './profile-section.tsx';
import { TimeZoneSection } from './time-zone-section.tsx';
import { TotpSection } from './totp-section.tsx';

export function SettingsPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('settings.pageTitle')} · Renkei`);
  return (
    <Stack gap="lg" maw={720}>
      <Title order={1} size="h2">
        {t('settings.pageTitle')}
      </Title>
      <ProfileSection />
      <LanguageSection />
      <TimeZoneSection />
      <TotpSection />
    </Stack>
  );
}
