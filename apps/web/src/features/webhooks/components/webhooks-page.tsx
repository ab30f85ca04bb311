import { Badge, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { QueryView } from '../../../components/query-view.tsx';
import { Section } from '../../../components/section.tsx';
import { useMe } from '../../../lib/session.tsx';
import {
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
  usePingWebhook,
  useRotateWebhookSecret,
  useUpdateWebhook,
  useWebhooks,
} from '../api/webhooks.ts';
import { SecretReveal } from './secret-reveal.tsx';
import { WebhookDeliveries } from './webhook-deliveries.tsx';
import { WebhookForm } from './webhook-form.tsx';

/**
 * Webhooks for the organisation's own tools: its endpoints, a form to add one (the secret shown once),
 * rotate, deactivate, a test ping, and each endpoint's recent deliveries.
 */
export function WebhooksPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('webhooks.title')} · Renkei`);
  const me = useMe();
  const query = useWebhooks();
  const [revealed, setRevealed] = useState<WebhookEndpointWithSecret | null>(null);
  return (
    <Stack gap="lg" maw={960}>
      <div>
        <Title order={1} size="h2">
          {t('webhooks.title')}
        </Title>
        <Text c="dimmed" size="sm" mt={4}>
          {t('webhooks.intro')}
        </Text>
      </div>
      {revealed && <SecretReveal secret={revealed.secret} url={revealed.endpoint.url} onDone={() => setRevealed(null)} />}
      {me.memberships.length > 0 && (
        <Section title={t('webhooks.addTitle')} testId="webhook-add">
          <WebhookForm onCreated={setRevealed} />
        </Section>
      )}
      <Section title={t('webhooks.listTitle')} testId="webhook-list">
        <QueryView query={query}>
          {(endpoints) =>
            endpoints.length === 0 ? (
              <Text c="dimmed" size="sm" data-testid="webhooks-empty">
                {t('webhooks.empty')}
              </Text>
            ) : (
              <Stack gap="sm">
                {endpoints.map((endpoint) => (
                  <EndpointCard key={endpoint.id} endpoint={endpoint} onSecret={setRevealed} />
                ))}
              </Stack>
            )
          }
        </QueryView>
      </Section>
    </Stack>
  );
}

function EndpointCard({ endpoint, onSecret }: { endpoint: WebhookEndpoint; onSecret: (created: WebhookEndpointWithSecret) => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const update = useUpdateWebhook();
  const rotate = useRotateWebhookSecret();
  const ping = usePingWebhook();
  const error = update.error ?? rotate.error ?? ping.error;
  return (
    <Paper withBorder p="md" radius="sm" data-testid="webhook-endpoint" data-active={endpoint.active ? 'true' : 'false'}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" align="flex-start">
          <Stack gap={2} style={{ minWidth: 0 }}>
            <Group gap="xs">
              <Text fw={600} ff="monospace" size="sm" style={{ wordBreak: 'break-all' }} data-testid="webhook-endpoint-url">
                {endpoint.url}
              </Text>
              <Badge color={endpoint.active ? 'green' : 'gray'} variant="light">
                {endpoint.active ? t('webhooks.active') : t('webhooks.inactive')}
              </Badge>
            </Group>
            <Text size="xs" c="dimmed">
              {endpoint.organisationName}
              {endpoint.description ? ` · ${endpoint.description}` : ''} · {t('webhooks.created')} <DateTime value={endpoint.createdAt} />
              {endpoint.secretRotatedAt && (
                <>
                  {' '}
                  · {t('webhooks.rotated')} <DateTime value={endpoint.secretRotatedAt} />
                </>
              )}
            </Text>
            <Group gap={4}>
              {endpoint.events.map((type) => (
                <Badge key={type} size="xs" variant="outline">
                  {t(`webhooks.event.${type}`)}
                </Badge>
              ))}
            </Group>
          </Stack>
          <Group gap="xs">
            <Button
              size="xs"
              variant="light"
              disabled={!endpoint.active}
              loading={ping.isPending}
              onClick={() => ping.mutate(endpoint.id, { onSuccess: () => setOpen(true) })}
              data-testid="webhook-ping"
            >
              {t('webhooks.ping')}
            </Button>
            <Button
              size="xs"
              variant="default"
              loading={rotate.isPending}
              onClick={() => rotate.mutate(endpoint.id, { onSuccess: onSecret })}
              data-testid="webhook-rotate"
            >
              {t('webhooks.rotate')}
            </Button>
            <Button
              size="xs"
              variant="default"
              color={endpoint.active ? 'red' : undefined}
              loading={update.isPending}
              onClick={() => update.mutate({ endpointId: endpoint.id, active: !endpoint.active })}
              data-testid="webhook-toggle"
            >
              {endpoint.active ? t('webhooks.deactivate') : t('webhooks.activate')}
            </Button>
            <Button size="xs" variant="subtle" onClick={() => setOpen((value) => !value)} aria-expanded={open} data-testid="webhook-deliveries-toggle">
              {open ? t('webhooks.hideDeliveries') : t('webhooks.showDeliveries')}
            </Button>
          </Group>
        </Group>
        {error !== null && <ErrorAlert error={error} onClose={() => (update.reset(), rotate.reset(), ping.reset())} />}
        {open && <WebhookDeliveries endpointId={endpoint.id} />}
      </Stack>
    </Paper>
  );
}
