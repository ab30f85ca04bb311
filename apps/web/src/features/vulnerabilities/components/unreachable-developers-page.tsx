import { Badge, Stack, Table, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { AnchorLink } from '../../../components/links.tsx';
import { QueryView } from '../../../components/query-view.tsx';
import { useUnreachableDevelopers } from '../api/back-office.ts';

const when = (value: string | null) => (value ? <DateTime value={value} /> : '—');

/**
 * Developers declared unreachable, case by case: first contact, attempts, when declared, and where the
 * procedure stands (announced on the public list, and from when the case may be published without them).
 */
export function UnreachableDevelopersPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('backOffice.unreachable.title')} · Renkei`);
  const query = useUnreachableDevelopers();
  return (
    <Stack gap="md">
      <div>
        <Title order={1} size="h2">
          {t('backOffice.unreachable.title')}
        </Title>
        <Text size="sm" c="dimmed">
          {t('backOffice.unreachable.help')}
        </Text>
      </div>
      <QueryView query={query}>
        {({ items }) =>
          items.length === 0 ? (
            <Text c="dimmed" data-testid="unreachable-empty">
              {t('backOffice.unreachable.empty')}
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={1000}>
              <Table striped verticalSpacing="xs" data-testid="unreachable-table">
                <Table.Thead style={{ whiteSpace: 'nowrap' }}>
                  <Table.Tr>
                    <Table.Th>{t('backOffice.unreachable.vendor')}</Table.Th>
                    <Table.Th>{t('backOffice.unreachable.case')}</Table.Th>
                    <Table.Th>{t('backOffice.unreachable.firstContact')}</Table.Th>
                    <Table.Th>{t('backOffice.unreachable.attempts')}</Table.Th>
                    <Table.Th>{t('backOffice.unreachable.declared')}</Table.Th>
                    <Table.Th>{t('backOffice.unreachable.announced')}</Table.Th>
                    <Table.Th>{t('backOffice.unreachable.publishable')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((row) => (
                    <Table.Tr key={row.participantId} data-testid="unreachable-row" data-name={row.vendorName}>
                      <Table.Td style={{ wordBreak: 'break-word', minWidth: 160 }}>{row.vendorName}</Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>
                        <AnchorLink to="/cases/$caseId" params={{ caseId: row.caseId }} ff="monospace" size="sm">
                          {row.caseReference}
                        </AnchorLink>
                      </Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{when(row.firstContactAt)}</Table.Td>
                      <Table.Td data-testid="unreachable-attempts">{row.attempts}</Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{when(row.declaredAt)}</Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }} data-testid="unreachable-announced">
                        {row.publishable ? (
                          when(row.announcedAt)
                        ) : (
                          <Badge variant="light" color="gray">
                            {t('backOffice.unreachable.notAnnounced')}
                          </Badge>
                        )}
                      </Table.Td>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{when(row.earliestPublicationAt)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryView>
    </Stack>
  );
}
