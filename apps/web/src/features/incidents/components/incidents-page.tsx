import { Badge, Loader, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { INCIDENT_STATUSES, type IncidentStatus } from '@renkei/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { AnchorLink } from '../../../components/links.tsx';
import { useIncidents } from '../api/incidents.ts';
import { PriorityBadge, TlpBadge } from './badges.tsx';
import { PagedFooter } from './paged-footer.tsx';

const PAGE_SIZE = 25;

/** Incidents by priority, newest first, filtered by status. */
export function IncidentsPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('incidents.list.title')} · Renkei`);
  const [status, setStatus] = useState<IncidentStatus | null>(null);
  const [pageNumber, setPageNumber] = useState(1);
  const query = useIncidents({ status, offset: (pageNumber - 1) * PAGE_SIZE, limit: PAGE_SIZE });
  const page = query.data ?? null;

  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        {t('incidents.list.title')}
      </Title>
      <Select
        label={t('incidents.fields.status')}
        data={INCIDENT_STATUSES.map((value) => ({ value, label: t(`incidents.incidentStatus.${value}`) }))}
        value={status}
        onChange={(value) => {
          setStatus(value as IncidentStatus | null);
          setPageNumber(1);
        }}
        placeholder={t('incidents.list.allStatuses')}
        clearable
        w={240}
      />
      {query.error !== null && <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />}
      {page === null ? (
        query.error === null && <Loader size="sm" />
      ) : page.items.length === 0 ? (
        <Text c="dimmed">{t('incidents.list.empty')}</Text>
      ) : (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table striped highlightOnHover data-testid="incidents-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('incidents.fields.priority')}</Table.Th>
                  <Table.Th>{t('incidents.fields.reference')}</Table.Th>
                  <Table.Th>{t('incidents.fields.title')}</Table.Th>
                  <Table.Th>{t('incidents.fields.category')}</Table.Th>
                  <Table.Th>{t('incidents.fields.status')}</Table.Th>
                  <Table.Th>TLP</Table.Th>
                  <Table.Th>{t('incidents.fields.dueAt')}</Table.Th>
                  <Table.Th>{t('incidents.fields.createdAt')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((incident) => (
                  <Table.Tr key={incident.id} data-testid="incident-row">
                    <Table.Td>
                      <PriorityBadge priority={incident.priority} />
                    </Table.Td>
                    <Table.Td>
                      <AnchorLink to="/incidents/$incidentId" params={{ incidentId: incident.id }} ff="monospace" size="sm">
                        {incident.reference}
                      </AnchorLink>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" lineClamp={2} style={{ wordBreak: 'break-word' }}>
                        {incident.title}
                      </Text>
                    </Table.Td>
                    <Table.Td>{t(`incidents.category.${incident.category}`)}</Table.Td>
                    <Table.Td>
                      <Badge variant="light">{t(`incidents.incidentStatus.${incident.status}`)}</Badge>
                    </Table.Td>
                    <Table.Td>
                      <TlpBadge tlp={incident.tlp} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c={incident.dueAt && new Date(incident.dueAt).getTime() < Date.now() && incident.closedAt === null ? 'red' : undefined}>
                        {incident.dueAt ? <DateTime value={incident.dueAt} /> : '—'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <DateTime value={incident.createdAt} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <PagedFooter total={page.total} pageSize={PAGE_SIZE} value={pageNumber} onChange={setPageNumber}>
            {t('incidents.list.total', { count: page.total })}
          </PagedFooter>
        </>
      )}
    </Stack>
  );
}
