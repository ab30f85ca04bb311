import { Button, Stack, Text, Textarea, Title } from '@mantine/core';
import type { PgpKey } from '@renkei/contract';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { useLocation } from '../../../lib/navigation.ts';
import { importKeys, unhealthyKeys } from '../api/contacts.ts';
import { KeyTable } from './organisation-page.tsx';
import { Section } from '../../../components/section.tsx';
import { useResource } from '../../../hooks/use-resource.ts';

const MAX_ARMORED = 256 * 1024;

/** Import armored public keys (for an organisation when opened from its page), and the keys that need attention. */
export function KeysPage() {
  const { t } = useTranslation();
  const organisationId = useLocation().search.get('organisationId');
  const [armored, setArmored] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [imported, setImported] = useState<{ keys: PgpKey[]; created: number; updated: number } | null>(null);
  const { data: attention, error: attentionError, reload: loadAttention } = useResource(() => unhealthyKeys(), []);

  const looksPrivate = /BEGIN PGP (PRIVATE|SECRET) KEY BLOCK/.test(armored);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!armored.trim() || looksPrivate) return;
    setSaving(true);
    setError(null);
    setImported(null);
    try {
      setImported(await importKeys(armored, organisationId));
      setArmored('');
      void loadAttention();
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
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
        <form onSubmit={(event) => void submit(event)} noValidate>
          <Stack gap="sm">
            <Textarea
              label={t('contacts.keys.armored')}
              placeholder="-----BEGIN PGP PUBLIC KEY BLOCK-----"
              autosize
              minRows={6}
              maxRows={16}
              value={armored}
              maxLength={MAX_ARMORED}
              spellCheck={false}
              styles={{ input: { fontFamily: 'monospace', fontSize: 12 } }}
              onChange={(event) => setArmored(event.currentTarget.value)}
              error={looksPrivate ? t('contacts.keys.privateWarning') : undefined}
              data-testid="key-armored"
            />
            <Button
              type="submit"
              loading={saving}
              disabled={!armored.trim() || looksPrivate}
              style={{ alignSelf: 'flex-start' }}
              data-testid="key-import-submit"
            >
              {t('contacts.keys.importSubmit')}
            </Button>
          </Stack>
        </form>
        {error !== null && <ErrorAlert error={error} onClose={() => setError(null)} />}
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
        {attentionError !== null && <ErrorAlert error={attentionError} onRetry={() => void loadAttention()} />}
        {attention && (attention.length === 0 ? <Text c="dimmed">{t('contacts.keys.allHealthy')}</Text> : <KeyTable keys={attention} />)}
      </Section>
    </Stack>
  );
}
