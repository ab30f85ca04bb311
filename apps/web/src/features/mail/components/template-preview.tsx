import { Button, Group, Paper, SegmentedControl, Select, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { type RenderedMail, TLP_LABELS } from '@renkei/contract';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { type TemplateInfo, listTemplates, previewTemplate } from '../api/mail.ts';

/**
 * Renders a mail template as it would go out: the recipient's language from the directory (or one
 * chosen), the variables filled in, the TLP label in subject and body. Shown as text only.
 */
export function TemplatePreview() {
  const { t } = useTranslation();
  const [templates, setTemplates] = useState<TemplateInfo[] | null>(null);
  const [name, setName] = useState<string | null>(null);
  const [to, setTo] = useState('');
  const [language, setLanguage] = useState<'auto' | 'en' | 'ja'>('auto');
  const [tlp, setTlp] = useState<string>('TLP:AMBER');
  const [variables, setVariables] = useState<Record<string, string>>({});
  const [rendered, setRendered] = useState<RenderedMail | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    listTemplates().then((list) => {
      setTemplates(list);
      setName((current) => current ?? list[0]?.name ?? null);
    }, setError);
  }, []);

  const template = templates?.find((candidate) => candidate.name === name) ?? null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!template) return;
    setError(null);
    setRendered(null);
    try {
      const filled = Object.fromEntries(template.variables.map((variable) => [variable, variables[variable] ?? '']));
      setRendered(
        await previewTemplate(template.name, { ...(to.trim() ? { to: to.trim() } : {}), ...(language === 'auto' ? {} : { language }), variables: filled, tlp }),
      );
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <Paper withBorder radius="md" p="md" data-testid="template-preview">
      <form onSubmit={(event) => void submit(event)}>
        <Stack gap="sm">
          <Title order={2} size="h4">
            {t('mail.templates.title')}
          </Title>
          {error !== null && <ErrorAlert error={error} onClose={() => setError(null)} />}
          <Group grow align="flex-end">
            <Select
              label={t('mail.templates.template')}
              data={(templates ?? []).map((candidate) => ({ value: candidate.name, label: `${candidate.name} — ${candidate.description}` }))}
              value={name}
              onChange={(value) => {
                setName(value);
                setRendered(null);
              }}
              allowDeselect={false}
              data-testid="template-name"
            />
            <Select
              label="TLP"
              data={[...TLP_LABELS]}
              value={tlp}
              onChange={(value) => value && setTlp(value)}
              allowDeselect={false}
              data-testid="template-tlp"
            />
          </Group>
          <Group grow align="flex-end">
            <TextInput
              label={t('mail.templates.to')}
              description={t('mail.templates.toHint')}
              value={to}
              onChange={(event) => setTo(event.currentTarget.value)}
              type="email"
              data-testid="template-to"
            />
            <div>
              <Text size="sm" fw={500} mb={4}>
                {t('mail.templates.language')}
              </Text>
              <SegmentedControl
                value={language}
                onChange={(value) => setLanguage(value as 'auto' | 'en' | 'ja')}
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
              value={variables[variable] ?? ''}
              onChange={(event) => {
                const value = event.currentTarget.value;
                setVariables((current) => ({ ...current, [variable]: value }));
              }}
              data-testid={`template-variable-${variable}`}
            />
          ))}
          <Group>
            <Button type="submit" disabled={!template} data-testid="template-preview-submit">
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
