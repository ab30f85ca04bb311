import { Button, Stack, Text, Textarea, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { useImportKeys, useUnhealthyKeys } from '../api/contacts.ts';
import { KeyTable } from './organisation-page.tsx';
import { QueryView } from '../../../components/query-view.tsx';
import { Section } from '../../../components/section.tsx';

const MAX_ARMORED = 256 * 1024;

/** Import armored public keys (for an organisation when opened from its page), and the keys that need attention. */
export function KeysPage({ organisationId }: { organisationId: string | null }) {
  const { t } = useTranslation();
  const form = useForm({ mode: 'controlled', initialValues: { armored: '' } });
  const importing = useImportKeys();
  const attention = useUnhealthyKeys();
  const imported = importing.data;

  const { armored } = form.values;
  const looksPrivate = /BEGIN PGP (PRIVATE|SECRET) KEY BLOCK/.test(armored);
  const submit = (values: { armored: string }) => {
    if (!values.armored.trim() || looksPrivate) return;
    importing.mutate({ armored: values.armored, organisationId }, { onSuccess: () => form.reset() });
  };

  return (
    <Stack gap="lg" maw={1100}>
      <Title order={1} size="h2">
        {t('contacts.keys.title')}
      </Title>
      <Section
        title={t('contacts.keys.import')}
        description={t(organisationId ? 'contacts.keys.importForOrganisation' : 'contacts.keys.importHint')}
        testId="key-import"
      >
        <form onSubmit={form.onSubmit(submit)} noValidate>
          <Stack gap="sm">
            <Textarea
              label={t('contacts.keys.armored')}
              placeholder="-----BEGIN PGP PUBLIC KEY BLOCK-----"
              autosize
              minRows={6}
              maxRows={16}
              {...form.getInputProps('armored')}
              maxLength={MAX_ARMORED}
              spellCheck={false}
              styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
              error={looksPrivate ? t('contacts.keys.privateWarning') : undefined}
              data-testid="key-armored"
            />
            <Button
              type="submit"
              loading={importing.isPending}
              disabled={!armored.trim() || looksPrivate}
              style={{ alignSelf: 'flex-start' }}
              data-testid="key-import-submit"
            >
              {t('contacts.keys.importSubmit')}
            </Button>
          </Stack>
        </form>
        {importing.error !== null && <ErrorAlert error={importing.error} onClose={importing.reset} />}
        {imported && (
          <>
            <Text size="sm" data-testid="key-import-result">
              {t('contacts.keys.imported', { created: imported.created, updated: imported.updated })}
            </Text>
            <KeyTable keys={imported.keys} />
          </>
        )}
      </Section>
      <Section title={t('contacts.keys.attention')} description={t('contacts.keys.attentionHint')} testId="key-attention">
        <QueryView query={attention}>
          {(keys) => (keys.length === 0 ? <Text c="dimmed">{t('contacts.keys.allHealthy')}</Text> : <KeyTable keys={keys} />)}
        </QueryView>
      </Section>
    </Stack>
  );
}
