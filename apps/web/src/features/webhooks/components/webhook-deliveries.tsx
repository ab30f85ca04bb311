import { Badge, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { type WebhookDelivery, useWebhookDeliveries } from '../api/webhooks.ts';

const STATE_COLOURS: Record<WebhookDelivery['state'], string> = { pending: 'blue', delivered: 'green', failed: 'red' };

/** An endpoint's latest deliveries: event, state, every attempt's answer and duration. */
export function WebhookDeliveries({ endpointId }: { endpointId: string }) {
  const { t } = useTranslation();
  const query = useWebhookDeliveries(endpointId);
  if (query.error) return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  const deliveries = query.data ?? [];
  if (deliveries.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid="deliveries-empty">
        {t('webhooks.noDeliveries')}
      </Text>
    );
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing={4} fz="sm" data-testid="deliveries-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('webhooks.deliveryEvent')}</Table.Th>
            <Table.Th>{t('webhooks.deliveryCreated')}</Table.Th>
            <Table.Th>{t('webhooks.deliveryState')}</Table.Th>
            <Table.Th>{t('webhooks.deliveryAttempts')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {deliveries.map((d) => (
            <Table.Tr key={d.id} data-testid="delivery-row" data-event={d.eventType} data-state={d.state}>
              <Table.Td ff="monospace">{d.eventType}</Table.Td>
              <Table.Td>
                <DateTime value={d.createdAt} seconds />
              </Table.Td>
              <Table.Td>
                <Badge color={STATE_COLOURS[d.state]} variant="light">
                  {t(`webhooks.state.${d.state}`)}
                </Badge>
              </Table.Td>
              <Table.Td>
                {d.attempts.map((a) => (
                  <Text key={a.attempt} size="xs" data-testid="delivery-attempt">
                    #{a.attempt} {a.statusCode ?? '—'} {a.error ? `(${a.error})` : ''} · {t('webhooks.durationMs', { ms: a.durationMs })}
                  </Text>
                ))}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
