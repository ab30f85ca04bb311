import { Alert, Button, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../lib/api.ts';
import { translatedErrorCode } from '../lib/i18n.ts';

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
  const apiError = error instanceof ApiError ? error : null;
  const message = (apiError && (translatedErrorCode(apiError.code) ?? apiError.message)) || t('errors.generic');
  return (
    <Alert
      color="red"
      variant="light"
      title={t('errors.title')}
      role="alert"
      data-testid={testId}
      data-error-code={apiError?.code}
      withCloseButton={onClose !== undefined}
      onClose={onClose}
    >
      <Text size="sm">{message}</Text>
      {apiError?.requestId && (
        <Text size="xs" c="dimmed" mt={4}>
          {t('errors.requestId', { id: apiError.requestId })}
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
