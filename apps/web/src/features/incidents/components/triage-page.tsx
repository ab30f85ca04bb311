import { Badge, Button, Group, Loader, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import type { ReportStatus } from '@renkei/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { AnchorLink } from '../../../components/links.tsx';
import { useReports } from '../api/incidents.ts';
import { Age, PriorityBadge, TlpBadge } from './badges.tsx';
import { PagedFooter } from './paged-footer.tsx';

const PAGE_SIZE = 25;
const FILTERS = ['new', 'triaged', 'linked', 'discarded', 'all'] as const;
type Filter = (typeof FILTERS)[number];

/** The triage queue: reports by priority, then oldest first, paged on the server. */
export function TriagePage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('incidents.triage.title')} · Renkei`);
  const [filter, setFilter] = useState<Filter>('new');
  const [pageNumber, setPageNumber] = useState(1);
  const status: ReportStatus | null = filter === 'all' ? null : filter;
  const query = useReports({ status, offset: (pageNumber - 1) * PAGE_SIZE, limit: PAGE_SIZE });
  const page = query.data ?? null;

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('incidents.triage.title')}
        </Title>
        <Button variant="default" size="xs" onClick={() => void query.refetch()} loading={query.isFetching} data-testid="triage-refresh">
          {t('incidents.refresh')}
        </Button>
      </Group>
      <SegmentedControl
        value={filter}
        onChange={(value) => {
          setFilter(FILTERS.find((f) => f === value) ?? 'new');
          setPageNumber(1);
        }}
        data={FILTERS.map((value) => ({ value, label: t(`incidents.reportStatus.${value}`) }))}
        data-testid="triage-filter"
        w="fit-content"
      />
      {query.error !== null && <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />}
      {page === null ? (
        query.error === null && <Loader size="sm" />
      ) : page.items.length === 0 ? (
        <Text c="dimmed" data-testid="triage-empty">
          {t('incidents.triage.empty')}
        </Text>
      ) : (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table striped highlightOnHover data-testid="triage-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('incidents.fields.priority')}</Table.Th>
                  <Table.Th>{t('incidents.fields.reference')}</Table.Th>
                  <Table.Th>{t('incidents.fields.title')}</Table.Th>
                  <Table.Th>{t('incidents.fields.category')}</Table.Th>
                  <Table.Th>{t('incidents.fields.channel')}</Table.Th>
                  <Table.Th>{t('incidents.fields.observables')}</Table.Th>
                  <Table.Th>TLP</Table.Th>
                  <Table.Th>{t('incidents.fields.age')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((report) => (
                  <Table.Tr key={report.id} data-testid="triage-row" data-reference={report.reference}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <PriorityBadge priority={report.priority} />
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <AnchorLink to="/reports/$reportId" params={{ reportId: report.id }} ff="monospace" size="sm" data-testid="triage-open">
                        {report.reference}
                      </AnchorLink>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" lineClamp={2} style={{ wordBreak: 'break-word' }} data-testid="triage-title">
                        {report.title}
                      </Text>
                      {(report.reporterName ?? report.reporterEmail) && (
                        <Text size="xs" c="dimmed" lineClamp={1}>
                          {report.reporterName ?? report.reporterEmail}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{report.category ? t(`incidents.category.${report.category}`) : '—'}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Badge variant="outline" size="sm" styles={{ label: { overflow: 'visible' } }}>
                        {t(`incidents.channel.${report.channel}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>{report.observableCount}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <TlpBadge tlp={report.tlp} />
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Age value={report.receivedAt} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <PagedFooter total={page.total} pageSize={PAGE_SIZE} value={pageNumber} onChange={setPageNumber}>
            {t('incidents.triage.total', { count: page.total })}
          </PagedFooter>
        </>
      )}
    </Stack>
  );
}
