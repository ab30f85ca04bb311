import { Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** A quiet "Saved" after a setting was stored; announced to screen readers. */
export function SavedMark({ visible, testId }: { visible: boolean; testId: string }) {
  const { t } = useTranslation();
  return (
    <Text size="sm" c="teal.7" role="status" data-testid={testId} aria-live="polite">
      {visible ? `✓ ${t('settings.saved')}` : ''}
    </Text>
  );
}
