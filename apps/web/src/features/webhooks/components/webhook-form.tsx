import { Button, Checkbox, Group, Select, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_LIMITS, type WebhookEventType } from '@renkei/contract';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { useMe } from '../../../lib/session.tsx';
import { type WebhookEndpointWithSecret, useCreateWebhook } from '../api/webhooks.ts';

/** Registers an endpoint for one of the viewer's organisations; the secret comes back to `onCreated`, once. */
export function WebhookForm({ onCreated }: { onCreated: (created: WebhookEndpointWithSecret) => void }) {
  const { t } = useTranslation();
  const me = useMe();
  const organisations = [...new Map(me.memberships.map((m) => [m.organisationId, m.organisationName])).entries()];
  const create = useCreateWebhook();
  const form = useForm({
    initialValues: { organisationId: organisations[0]?.[0] ?? '', url: '', description: '', events: [...WEBHOOK_EVENT_TYPES] as string[] },
    validate: {
      organisationId: (value) => (value ? null : t('webhooks.organisationRequired')),
      url: (value) => {
        const text = value.trim();
        if (text.length > WEBHOOK_LIMITS.url) return t('webhooks.urlTooLong');
        try {
          const parsed = new URL(text);
          return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? null : t('webhooks.urlScheme');
        } catch {
          return t('webhooks.urlInvalid');
        }
      },
      description: (value) => (value.length > WEBHOOK_LIMITS.description ? t('webhooks.descriptionTooLong') : null),
      events: (value) => (value.length === 0 ? t('webhooks.eventsRequired') : null),
    },
  });
  if (organisations.length === 0) return null;
  const submit = form.onSubmit((values) =>
    create.mutate(
      {
        organisationId: values.organisationId,
        url: values.url.trim(),
        events: values.events as WebhookEventType[],
        ...(values.description.trim() ? { description: values.description.trim() } : {}),
      },
      {
        onSuccess: (created) => {
          form.reset();
          onCreated(created);
        },
      },
    ),
  );
  return (
    <form onSubmit={submit} data-testid="webhook-form">
      <Stack gap="sm">
        {create.error !== null && <ErrorAlert error={create.error} onClose={create.reset} />}
        {organisations.length > 1 && (
          <Select
            label={t('webhooks.organisation')}
            data={organisations.map(([value, label]) => ({ value, label }))}
            allowDeselect={false}
            {...form.getInputProps('organisationId')}
          />
        )}
        <TextInput label={t('webhooks.url')} placeholder="https://psirt.example.com/renkei" required {...form.getInputProps('url')} data-testid="webhook-url" />
        <TextInput label={t('webhooks.description')} {...form.getInputProps('description')} data-testid="webhook-description" />
        <Checkbox.Group label={t('webhooks.events')} {...form.getInputProps('events')}>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing={4} mt={4}>
            {WEBHOOK_EVENT_TYPES.map((type) => (
              <Checkbox key={type} value={type} label={t(`webhooks.event.${type}`)} data-testid={`webhook-event-${type}`} />
            ))}
          </SimpleGrid>
        </Checkbox.Group>
        <Group>
          <Button type="submit" loading={create.isPending} data-testid="webhook-create">
            {t('webhooks.add')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
