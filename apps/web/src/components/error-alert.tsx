import { Alert, Button, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { describeError } from '../lib/api-errors.ts';

export interface ErrorAlertProps {
  error: unknown;
  onRetry?: () => void;
  onClose?: () => void;
  'data-testid'?: string;
}

/**
 * Shows a failed request: our translation of its code where we have one, else the server's message.
 * @example {error && <ErrorAlert error={error} />}
 */
export function ErrorAlert({ error, onRetry, onClose, 'data-testid': testId = 'error-alert' }: ErrorAlertProps) {
  const { t } = useTranslation();
  const { message, detail, code, requestId } = describeError(error, t);
  return (
    <Alert
      color="red"
      variant="light"
      title={t('errors.title')}
      role="alert"
      data-testid={testId}
      data-error-code={code ?? undefined}
      withCloseButton={onClose !== undefined}
      onClose={onClose}
    >
      <Text size="sm">{message}</Text>
      {detail && (
        <Text size="sm" mt={4} data-testid="error-detail">
          {detail}
        </Text>
      )}
      {requestId && (
        <Text size="xs" c="dimmed" mt={4}>
          {t('errors.requestId', { id: requestId })}
        </Text>
      )}
      {onRetry && (
        <Button variant="light" color="red" size="xs" mt="sm" onClick={onRetry}>
          {t('errors.retry')}
        </Button>
      )}
    </Alert>
  );
}
