import { Badge, Button, Group, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { useOrganisationSearch } from '../../contacts/api/contacts.ts';
import { useAddParticipant } from '../api/back-office.ts';
import type { CaseDetail } from '../api/vulnerabilities.ts';

type Role = 'coordinator' | 'finder';

/**
 * Adds a participant who is not a vendor: a partner coordinator (organisations of kind csirt, such as
 * CERT/CC; once shared it reads every vendor's statuses) or the finder's organisation (any kind). Like a
 * vendor, it sees the case only once shared.
 */
export function AddParticipant({ detail }: { detail: CaseDetail }) {
  const { t, i18n } = useTranslation();
  const [role, setRole] = useState<Role>('coordinator');
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q.trim(), 250);
  const search = useOrganisationSearch({ q: debounced, kind: role === 'coordinator' ? 'csirt' : null });
  const add = useAddParticipant(detail.id);
  const inCase = new Set(detail.participants.map((p) => p.organisationId));
  const results = debounced === '' ? [] : (search.data?.items ?? []).slice(0, 10);

  return (
    <Stack gap="xs" data-testid="add-participant">
      <Group gap="sm" align="flex-end">
        <SegmentedControl
          value={role}
          onChange={(value) => setRole(value === 'finder' ? 'finder' : 'coordinator')}
          data={[
            { value: 'coordinator', label: t('vulnerabilities.participantRole.coordinator') },
            { value: 'finder', label: t('vulnerabilities.participantRole.finder') },
          ]}
          data-testid="participant-role"
        />
        <TextInput
          label={t('backOffice.participants.add')}
          description={t(role === 'coordinator' ? 'backOffice.participants.coordinatorHelp' : 'backOffice.participants.finderHelp')}
          value={q}
          maxLength={200}
          onChange={(event) => setQ(event.currentTarget.value)}
          data-testid="participant-search"
          style={{ flex: 1 }}
        />
      </Group>
      {search.error !== null && <ErrorAlert error={search.error} />}
      {add.error !== null && <ErrorAlert error={add.error} onClose={add.reset} />}
      {debounced !== '' && search.data && results.length === 0 && (
        <Text size="sm" c="dimmed">
          {t('backOffice.participants.none')}
        </Text>
      )}
      {results.map((organisation) => (
        <Group key={organisation.id} justify="space-between" wrap="nowrap" data-testid="participant-result" data-name={organisation.name}>
          <Text size="sm" style={{ wordBreak: 'break-word' }}>
            {i18n.language === 'ja' && organisation.nameJa ? `${organisation.nameJa} (${organisation.name})` : organisation.name}
          </Text>
          {inCase.has(organisation.id) ? (
            <Badge variant="light">{t('vulnerabilities.participants.alreadyIn')}</Badge>
          ) : (
            <Button
              size="xs"
              loading={add.isPending && add.variables?.organisationId === organisation.id}
              onClick={() => add.mutate({ role, organisationId: organisation.id })}
              data-testid="participant-add"
            >
              {t('vulnerabilities.participants.add')}
            </Button>
          )}
        </Group>
      ))}
    </Stack>
  );
}
