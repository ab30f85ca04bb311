import { Button, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { linkProps } from '../lib/navigation.ts';

export function NotFoundPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('notFound.pageTitle')} · Renkei`);
  return (
    <Stack gap="sm" align="flex-start" data-testid="not-found">
      <Title order={1} size="h2">
        {t('notFound.pageTitle')}
      </Title>
      <Text>{t('notFound.body')}</Text>
      <Button component="a" variant="light" {...linkProps('/')}>
        {t('notFound.home')}
      </Button>
    </Stack>
  );
}
