import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** The signing secret, shown this once (after creation or rotation) with a copy button. */
export function SecretReveal({ secret, url, onDone }: { secret: string; url: string; onDone: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert color="yellow" title={t('webhooks.secretTitle')} data-testid="webhook-secret-alert">
      <Stack gap="xs">
        <Text size="sm">{t('webhooks.secretOnce', { url })}</Text>
        <Code block data-testid="webhook-secret">
          {secret}
        </Code>
        <Group gap="xs">
          <CopyButton value={secret}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" onClick={copy} data-testid="webhook-secret-copy">
                {copied ? t('webhooks.copied') : t('webhooks.copy')}
              </Button>
            )}
          </CopyButton>
          <Button size="xs" variant="default" onClick={onDone} data-testid="webhook-secret-done">
            {t('webhooks.secretSaved')}
          </Button>
        </Group>
        <Text size="xs" c="dimmed">
          {t('webhooks.signatureHelp')}
        </Text>
      </Stack>
    </Alert>
  );
}
