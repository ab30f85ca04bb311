import { Button, Group, Paper, SegmentedControl, Select, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { TLP_LABELS } from '@renkei/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { usePreviewTemplate, useTemplates } from '../api/mail.ts';

/**
 * Renders a mail template as it would go out: the recipient's language from the directory (or one
 * chosen), the variables filled in, the TLP label in subject and body. Shown as text only.
 */
export function TemplatePreview() {
  const { t } = useTranslation();
  const templatesQuery = useTemplates();
  const templates = templatesQuery.data ?? null;
  const [chosen, setChosen] = useState<string | null>(null);
  const form = useForm<{ to: string; language: 'auto' | 'en' | 'ja'; tlp: string; variables: Record<string, string> }>({
    mode: 'controlled',
    initialValues: { to: '', language: 'auto', tlp: 'TLP:AMBER', variables: {} },
  });
  const preview = usePreviewTemplate();
  const rendered = preview.data ?? null;
  const error = templatesQuery.error ?? preview.error;

  // The first template until one is chosen.
  const name = chosen ?? templates?.[0]?.name ?? null;
  const template = templates?.find((candidate) => candidate.name === name) ?? null;

  const submit = ({ to, language, tlp, variables }: typeof form.values) => {
    if (!template) return;
    const filled = Object.fromEntries(template.variables.map((variable) => [variable, variables[variable] ?? '']));
    preview.mutate({
      name: template.name,
      input: { ...(to.trim() ? { to: to.trim() } : {}), ...(language === 'auto' ? {} : { language }), variables: filled, tlp },
    });
  };

  return (
    <Paper withBorder radius="md" p="md" data-testid="template-preview">
      <form onSubmit={form.onSubmit(submit)}>
        <Stack gap="sm">
          <Title order={2} size="h4">
            {t('mail.templates.title')}
          </Title>
          {error !== null && <ErrorAlert error={error} onClose={preview.reset} />}
          <Group grow align="flex-end">
            <Select
              label={t('mail.templates.template')}
              data={(templates ?? []).map((candidate) => ({ value: candidate.name, label: `${candidate.name} — ${candidate.description}` }))}
              value={name}
              onChange={(value) => {
                setChosen(value);
                preview.reset();
              }}
              allowDeselect={false}
              data-testid="template-name"
            />
            <Select label="TLP" data={[...TLP_LABELS]} {...form.getInputProps('tlp')} allowDeselect={false} data-testid="template-tlp" />
          </Group>
          <Group grow align="flex-end">
            <TextInput
              label={t('mail.templates.to')}
              description={t('mail.templates.toHint')}
              {...form.getInputProps('to')}
              type="email"
              data-testid="template-to"
            />
            <div>
              <Text size="sm" fw={500} mb={4}>
                {t('mail.templates.language')}
              </Text>
              <SegmentedControl
                {...form.getInputProps('language')}
                data={[
                  { value: 'auto', label: t('mail.templates.languageAuto') },
                  { value: 'ja', label: '日本語' },
                  { value: 'en', label: 'English' },
                ]}
                data-testid="template-language"
              />
            </div>
          </Group>
          {template?.variables.map((variable) => (
            <Textarea
              key={variable}
              label={variable}
              autosize
              minRows={1}
              maxRows={6}
              value={form.values.variables[variable] ?? ''}
              onChange={(event) => form.setFieldValue('variables', { ...form.values.variables, [variable]: event.currentTarget.value })}
              data-testid={`template-variable-${variable}`}
            />
          ))}
          <Group>
            <Button type="submit" disabled={!template} loading={preview.isPending} data-testid="template-preview-submit">
              {t('mail.templates.preview')}
            </Button>
          </Group>
          {rendered && (
            <Stack gap={4} data-testid="template-rendered" data-language={rendered.language}>
              <Text size="sm">
                <strong>{t('mail.subject')}:</strong> <span data-testid="template-rendered-subject">{rendered.subject}</span>
              </Text>
              <Text
                component="pre"
                size="sm"
                style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', fontFamily: 'var(--mantine-font-family-monospace)' }}
                data-testid="template-rendered-text"
              >
                {rendered.text}
              </Text>
            </Stack>
          )}
        </Stack>
      </form>
    </Paper>
  );
}
