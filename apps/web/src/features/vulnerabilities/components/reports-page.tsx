import { Badge, Button, Group, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import type { VulnerabilityReportStatus } from '@renkei/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { AnchorLink } from '../../../components/links.tsx';
import { LoadingView } from '../../../components/query-view.tsx';
import { PagedFooter } from '../../incidents/components/paged-footer.tsx';
import { useVulnerabilityReports } from '../api/vulnerabilities.ts';

const PAGE_SIZE = 25;
const FILTERS = ['new', 'accepted', 'declined', 'all'] as const;
type Filter = (typeof FILTERS)[number];
const STATUS_COLOURS: Record<VulnerabilityReportStatus, string> = { new: 'blue', accepted: 'green', declined: 'gray' };

/** Finders' vulnerability reports, newest first: the team's queue. */
export function VulnerabilityReportsPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('vulnerabilities.reports.title')} · Renkei`);
  const [filter, setFilter] = useState<Filter>('new');
  const [pageNumber, setPageNumber] = useState(1);
  const query = useVulnerabilityReports({ status: filter === 'all' ? null : filter, offset: (pageNumber - 1) * PAGE_SIZE, limit: PAGE_SIZE });
  const page = query.data ?? null;

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {t('vulnerabilities.reports.title')}
        </Title>
        <Button variant="default" size="xs" onClick={() => void query.refetch()} loading={query.isFetching}>
          {t('vulnerabilities.refresh')}
        </Button>
      </Group>
      <SegmentedControl
        value={filter}
        onChange={(value) => {
          setFilter(FILTERS.find((f) => f === value) ?? 'new');
          setPageNumber(1);
        }}
        data={FILTERS.map((value) => ({ value, label: t(`vulnerabilities.reportStatus.${value}`) }))}
        data-testid="vreports-filter"
        w="fit-content"
      />
      {query.error !== null && <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />}
      {page === null ? (
        query.error === null && <LoadingView />
      ) : page.items.length === 0 ? (
        <Text c="dimmed" data-testid="vreports-empty">
          {t('vulnerabilities.reports.empty')}
        </Text>
      ) : (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table striped highlightOnHover data-testid="vreports-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('vulnerabilities.reports.reference')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.reports.reportTitle')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.reports.product')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.reports.channel')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.reports.status')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.reports.received')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.reports.case')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items.map((r) => (
                  <Table.Tr key={r.id} data-testid="vreport-row" data-reference={r.reference}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <AnchorLink to="/vulnerability-reports/$reportId" params={{ reportId: r.id }} ff="monospace" size="sm" data-testid="vreport-open">
                        {r.reference}
                      </AnchorLink>
                    </Table.Td>
                    <Table.Td maw={360}>
                      <Text size="sm" lineClamp={2} style={{ wordBreak: 'break-word' }}>
                        {r.title}
                      </Text>
                    </Table.Td>
                    <Table.Td maw={240}>
                      <Text size="sm" lineClamp={1} style={{ wordBreak: 'break-word' }}>
                        {r.productName}
                      </Text>
                      {r.developerName && (
                        <Text size="xs" c="dimmed" lineClamp={1}>
                          {r.developerName}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="outline" size="sm">
                        {t(`vulnerabilities.channel.${r.channel}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={STATUS_COLOURS[r.status]} variant="light" size="sm">
                        {t(`vulnerabilities.reportStatus.${r.status}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <DateTime value={r.receivedAt} />
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {r.caseId ? (
                        <AnchorLink to="/cases/$caseId" params={{ caseId: r.caseId }} ff="monospace" size="sm">
                          {r.caseReference}
                        </AnchorLink>
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <PagedFooter total={page.total} pageSize={PAGE_SIZE} value={pageNumber} onChange={setPageNumber}>
            {t('vulnerabilities.reports.total', { count: page.total })}
          </PagedFooter>
        </>
      )}
    </Stack>
  );
}
