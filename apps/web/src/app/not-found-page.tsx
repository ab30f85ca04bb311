import { Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { ButtonLink } from '../components/links.tsx';

export function NotFoundPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('notFound.pageTitle')} · Renkei`);
  return (
    <Stack gap="sm" align="flex-start" data-testid="not-found">
      <Title order={1} size="h2">
        {t('notFound.pageTitle')}
      </Title>
      <Text>{t('notFound.body')}</Text>
      <ButtonLink to="/" variant="light">
        {t('notFound.home')}
      </ButtonLink>
    </Stack>
  );
}
