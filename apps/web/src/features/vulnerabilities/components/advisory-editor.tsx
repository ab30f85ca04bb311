import { ActionIcon, Alert, Button, Group, Paper, SimpleGrid, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { type UseFormReturnType, useForm } from '@mantine/form';
import { ADVISORY_LIMITS } from '@renkei/contract';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { type AdvisoryForm, type Lang, LANGS, TEXT_SECTIONS, advisoryFormErrors, fromForm, toForm } from '../advisory-form.ts';
import { type AdvisoryRevision, useReviseAdvisory } from '../api/advisories.ts';
import { CvssTable, CweList, VendorTable } from './advisory-document.tsx';

type Form = UseFormReturnType<AdvisoryForm>;

/**
 * The team's editor: every section of the latest revision in Japanese and English side by side (one
 * row a section, ja on the left), the server-built tables shown as they are, and "save" making a new
 * revision. Checked here for the user's sake, and again by the server.
 */
export function AdvisoryEditor({ caseId, latest }: { caseId: string; latest: AdvisoryRevision }) {
  const { t } = useTranslation();
  const revise = useReviseAdvisory(caseId);
  const [saved, setSaved] = useState<number | null>(null);
  const form = useForm<AdvisoryForm>({
    initialValues: toForm(latest.content),
    validate: (values) => Object.fromEntries(Object.entries(advisoryFormErrors(values)).map(([path, key]) => [path, t(key as 'advisory.form.tooLarge')])),
  });

  return (
    <form
      data-testid="advisory-editor"
      onSubmit={form.onSubmit((values) => {
        setSaved(null);
        revise.mutate(
          { content: fromForm(values), ...(values.note.trim() ? { note: values.note.trim() } : {}) },
          { onSuccess: (revision) => setSaved(revision.number) },
        );
      })}
    >
      <Stack gap="md">
        <Row label={t('advisory.sections.title')}>
          {(lang) => (
            <TextInput
              aria-label={`${t('advisory.sections.title')} (${lang})`}
              maxLength={ADVISORY_LIMITS.line}
              data-testid={`advisory-title-${lang}`}
              {...form.getInputProps(`${lang}.title`)}
            />
          )}
        </Row>
        {TEXT_SECTIONS.slice(0, 1).map((key) => (
          <TextRow key={key} form={form} section={key} />
        ))}
        <Row label={t('advisory.sections.affectedProducts')} help={t('advisory.form.productsHelp')}>
          {(lang) => (
            <Textarea
              aria-label={`${t('advisory.sections.affectedProducts')} (${lang})`}
              autosize
              minRows={2}
              maxRows={10}
              data-testid={`advisory-affectedProducts-${lang}`}
              {...form.getInputProps(`${lang}.affectedProducts`)}
            />
          )}
        </Row>
        {TEXT_SECTIONS.slice(1, 4).map((key) => (
          <TextRow key={key} form={form} section={key} />
        ))}
        <ServerBuilt form={form} />
        <Row label={t('advisory.sections.references')}>{(lang) => <ReferencesEditor form={form} lang={lang} />}</Row>
        {TEXT_SECTIONS.slice(4).map((key) => (
          <TextRow key={key} form={form} section={key} />
        ))}
        <Row label={t('advisory.sections.history')}>{(lang) => <HistoryEditor form={form} lang={lang} />}</Row>
        <Paper withBorder p="sm" bg="var(--mantine-color-gray-0)">
          <Stack gap="xs">
            <TextInput label={t('advisory.form.note')} maxLength={ADVISORY_LIMITS.line} data-testid="advisory-note" {...form.getInputProps('note')} />
            <Group>
              <Button type="submit" loading={revise.isPending} data-testid="advisory-save">
                {t('advisory.form.save')}
              </Button>
              {saved !== null && (
                <Text size="sm" c="green.8" data-testid="advisory-saved">
                  {t('advisory.form.saved', { number: saved })}
                </Text>
              )}
            </Group>
            {revise.error !== null && <ErrorAlert error={revise.error} onClose={revise.reset} />}
          </Stack>
        </Paper>
      </Stack>
    </form>
  );
}

/** One section: its label, then the ja and en fields side by side (stacked on a narrow screen). */
function Row({ label, help, children }: { label: string; help?: string; children: (lang: Lang) => ReactNode }) {
  const { t } = useTranslation();
  return (
    <div>
      <Text size="sm" fw={600}>
        {label}
      </Text>
      {help && (
        <Text size="xs" c="dimmed">
          {help}
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm" mt={4}>
        {LANGS.map((lang) => (
          <div key={lang}>
            <Text size="xs" c="dimmed">
              {t(`advisory.lang.${lang}`)}
            </Text>
            {children(lang)}
          </div>
        ))}
      </SimpleGrid>
    </div>
  );
}

function TextRow({ form, section }: { form: Form; section: (typeof TEXT_SECTIONS)[number] }) {
  const { t } = useTranslation();
  return (
    <Row label={t(`advisory.sections.${section}`)}>
      {(lang) => (
        <Textarea
          aria-label={`${t(`advisory.sections.${section}`)} (${lang})`}
          autosize
          minRows={2}
          maxRows={16}
          maxLength={ADVISORY_LIMITS.text}
          data-testid={`advisory-${section}-${lang}`}
          {...form.getInputProps(`${lang}.${section}`)}
        />
      )}
    </Row>
  );
}

/** Vendor information, CVSS and CWE: what the server built from the case, shown, not typed. */
function ServerBuilt({ form }: { form: Form }) {
  const { t } = useTranslation();
  return (
    <Alert variant="light" color="gray" title={`${t('advisory.sections.vendorInformation')} · ${t('advisory.sections.cvss')} · ${t('advisory.sections.cwe')}`}>
      <Stack gap="sm">
        <Text size="xs">{t('advisory.form.serverBuilt')}</Text>
        {/* One language under the other: the vendor table needs the full width. */}
        <SimpleGrid cols={1} spacing="md">
          {LANGS.map((lang) => (
            <Stack key={lang} gap="xs" data-testid={`advisory-server-built-${lang}`}>
              <Text size="xs" c="dimmed">
                {t(`advisory.lang.${lang}`)}
              </Text>
              <VendorTable rows={form.values[lang].vendorInformation} lang={lang} />
              <CvssTable rows={form.values[lang].cvss} lang={lang} />
              <CweList rows={form.values[lang].cwe} lang={lang} />
            </Stack>
          ))}
        </SimpleGrid>
      </Stack>
    </Alert>
  );
}

function ReferencesEditor({ form, lang }: { form: Form; lang: Lang }) {
  const { t } = useTranslation();
  return (
    <Stack gap={4}>
      {form.values[lang].references.map((_, index) => (
        <Group key={index} gap={4} align="flex-start" wrap="nowrap" data-testid={`advisory-reference-${lang}`}>
          <TextInput
            placeholder={t('advisory.form.referenceTitle')}
            aria-label={t('advisory.form.referenceTitle')}
            maxLength={ADVISORY_LIMITS.line}
            style={{ flex: 2 }}
            data-testid="advisory-reference-title"
            {...form.getInputProps(`${lang}.references.${index}.title`)}
          />
          <TextInput
            placeholder={t('advisory.form.referenceUrl')}
            aria-label={t('advisory.form.referenceUrl')}
            maxLength={ADVISORY_LIMITS.line}
            style={{ flex: 3 }}
            data-testid="advisory-reference-url"
            {...form.getInputProps(`${lang}.references.${index}.url`)}
          />
          <ActionIcon
            variant="subtle"
            color="red"
            aria-label={t('advisory.form.remove')}
            onClick={() => form.removeListItem(`${lang}.references`, index)}
            mt={6}
          >
            ×
          </ActionIcon>
        </Group>
      ))}
      <Button
        variant="subtle"
        size="compact-xs"
        w="fit-content"
        onClick={() => form.insertListItem(`${lang}.references`, { title: '', url: '' })}
        data-testid={`advisory-reference-add-${lang}`}
      >
        {t('advisory.form.addReference')}
      </Button>
    </Stack>
  );
}

function HistoryEditor({ form, lang }: { form: Form; lang: Lang }) {
  const { t } = useTranslation();
  return (
    <Stack gap={4}>
      {form.values[lang].history.map((_, index) => (
        <Group key={index} gap={4} align="flex-start" wrap="nowrap" data-testid={`advisory-history-${lang}`}>
          <TextInput
            placeholder="2026-12-05"
            aria-label={t('advisory.form.historyDate')}
            maxLength={32}
            w={130}
            data-testid="advisory-history-date"
            {...form.getInputProps(`${lang}.history.${index}.date`)}
          />
          <TextInput
            placeholder={t('advisory.form.historyNote')}
            aria-label={t('advisory.form.historyNote')}
            maxLength={ADVISORY_LIMITS.line}
            style={{ flex: 1 }}
            data-testid="advisory-history-note"
            {...form.getInputProps(`${lang}.history.${index}.note`)}
          />
          <ActionIcon variant="subtle" color="red" aria-label={t('advisory.form.remove')} onClick={() => form.removeListItem(`${lang}.history`, index)} mt={6}>
            ×
          </ActionIcon>
        </Group>
      ))}
      <Button
        variant="subtle"
        size="compact-xs"
        w="fit-content"
        onClick={() => form.insertListItem(`${lang}.history`, { date: '', note: '' })}
        data-testid={`advisory-history-add-${lang}`}
      >
        {t('advisory.form.addHistory')}
      </Button>
    </Stack>
  );
}
