import { Badge, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { Section } from '../../../components/section.tsx';
import { useOrganisationSearch } from '../../contacts/api/contacts.ts';
import { type CaseDetail, useAddVendor, useShare } from '../api/vulnerabilities.ts';
import { AddParticipant } from './add-participant.tsx';
import { ContactAttemptsDrawer } from './contact-attempts-drawer.tsx';

/**
 * The case's participants: each with its 起算日 (contact start), when it was shared, and for the team a
 * "share and notify" button per participant not yet shared, and the directory search to add a vendor.
 */
export function ParticipantsPanel({ detail, canManage, asParticipant }: { detail: CaseDetail; canManage: boolean; asParticipant: boolean }) {
  const { t } = useTranslation();
  const share = useShare(detail.id);
  // The id, not the row: the drawer shows the participant as the latest answer has it (declared unreachable…).
  const [attemptsFor, setAttemptsFor] = useState<string | null>(null);
  return (
    <Section title={t('vulnerabilities.participants.title')} testId="participants-panel">
      {share.error !== null && <ErrorAlert error={share.error} onClose={share.reset} />}
      {detail.participants.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t('vulnerabilities.participants.empty')}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table data-testid="participants-table" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('vulnerabilities.participants.name')}</Table.Th>
                <Table.Th>{t('vulnerabilities.participants.role')}</Table.Th>
                <Table.Th>{t('vulnerabilities.participants.contactStarted')}</Table.Th>
                <Table.Th>{t('vulnerabilities.participants.shared')}</Table.Th>
                <Table.Th>{t(asParticipant ? 'vulnerabilities.case.trackingId' : 'vulnerabilities.participants.trackingId')}</Table.Th>
                {canManage && <Table.Th />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {detail.participants.map((p) => (
                <Table.Tr key={p.id} data-testid="participant-row" data-name={p.name}>
                  <Table.Td style={{ wordBreak: 'break-word' }}>
                    {p.name || t(`vulnerabilities.participantRole.${p.role}`)}
                    {p.unreachableAt && (
                      <Badge ml="xs" color="dark" size="sm">
                        {t('vulnerabilities.participants.unreachable')}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>{t(`vulnerabilities.participantRole.${p.role}`)}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }} data-testid="participant-contact-started">
                    {p.contactStartedAt ? <DateTime value={p.contactStartedAt} /> : '—'}
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }} data-testid="participant-shared">
                    {p.sharedAt ? (
                      <DateTime value={p.sharedAt} />
                    ) : (
                      <Text span c="dimmed" size="sm">
                        {t('vulnerabilities.participants.notShared')}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{p.trackingId ?? '—'}</Table.Td>
                  {canManage && (
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        {p.sharedAt === null && (
                          <Button
                            size="xs"
                            variant="light"
                            loading={share.isPending && share.variables === p.id}
                            onClick={() => share.mutate(p.id)}
                            data-testid="participant-share"
                          >
                            {t('vulnerabilities.participants.share')}
                          </Button>
                        )}
                        {p.role === 'vendor' && (
                          <Button size="xs" variant="default" onClick={() => setAttemptsFor(p.id)} data-testid="participant-attempts">
                            {t('backOffice.attempts.open')}
                          </Button>
                        )}
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {canManage && <AddVendor detail={detail} />}
      {canManage && <AddParticipant detail={detail} />}
      {canManage && (
        <ContactAttemptsDrawer
          caseId={detail.id}
          participant={detail.participants.find((p) => p.id === attemptsFor) ?? null}
          onClose={() => setAttemptsFor(null)}
        />
      )}
    </Section>
  );
}

/** Directory search (vendors only) and an "add" button per answer; organisations already in the case are marked. */
function AddVendor({ detail }: { detail: CaseDetail }) {
  const { t, i18n } = useTranslation();
  const [q, setQ] = useState('');
  const [debounced] = useDebouncedValue(q.trim(), 250);
  const search = useOrganisationSearch({ q: debounced, kind: 'vendor' });
  const add = useAddVendor(detail.id);
  const inCase = new Set(detail.participants.map((p) => p.organisationId));
  const results = debounced === '' ? [] : (search.data?.items ?? []).slice(0, 10);

  return (
    <Stack gap="xs" data-testid="add-vendor">
      <TextInput
        label={t('vulnerabilities.participants.addVendor')}
        description={t('vulnerabilities.participants.addVendorHelp')}
        value={q}
        maxLength={200}
        onChange={(event) => setQ(event.currentTarget.value)}
        data-testid="vendor-search"
      />
      {search.error !== null && <ErrorAlert error={search.error} />}
      {add.error !== null && <ErrorAlert error={add.error} onClose={add.reset} />}
      {debounced !== '' && search.data && results.length === 0 && (
        <Text size="sm" c="dimmed">
          {t('vulnerabilities.participants.noVendor')}
        </Text>
      )}
      {results.map((organisation) => (
        <Group key={organisation.id} justify="space-between" wrap="nowrap" data-testid="vendor-result" data-name={organisation.name}>
          <Text size="sm" style={{ wordBreak: 'break-word' }}>
            {i18n.language === 'ja' && organisation.nameJa ? `${organisation.nameJa} (${organisation.name})` : organisation.name}
            {organisation.contactEmail && (
              <Text span c="dimmed" size="xs">
                {' '}
                {organisation.contactEmail}
              </Text>
            )}
          </Text>
          {inCase.has(organisation.id) ? (
            <Badge variant="light">{t('vulnerabilities.participants.alreadyIn')}</Badge>
          ) : (
            <Button size="xs" loading={add.isPending && add.variables === organisation.id} onClick={() => add.mutate(organisation.id)} data-testid="vendor-add">
              {t('vulnerabilities.participants.add')}
            </Button>
          )}
        </Group>
      ))}
    </Stack>
  );
}
