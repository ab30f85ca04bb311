import { Anchor, Badge, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import type { EChartsCoreOption } from 'echarts/core';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../components/date-time.tsx';
import { AnchorLink } from '../../../components/links.tsx';
import { QueryView } from '../../../components/query-view.tsx';
import { Section } from '../../../components/section.tsx';
import { Chart } from '../../statistics/components/chart.tsx';
import { type CaseDashboard, dashboardCsvUrl, useCaseDashboard } from '../api/back-office.ts';
import { CaseStatusBadge } from './case-badges.tsx';

/**
 * The dates of cases: each open case's days since its first 起算日 and to its target, the cases past
 * target first, and the median days from first 起算日 to publication per fiscal quarter (the figure IPA
 * publishes) as a chart with its table; both tables as CSV from the server.
 */
export function CaseDatesPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('backOffice.dashboard.title')} · Renkei`);
  const query = useCaseDashboard();
  return (
    <Stack gap="md">
      <Title order={1} size="h2">
        {t('backOffice.dashboard.title')}
      </Title>
      <QueryView query={query}>{(dashboard) => <DashboardView dashboard={dashboard} />}</QueryView>
    </Stack>
  );
}

function DashboardView({ dashboard }: { dashboard: CaseDashboard }) {
  const { t, i18n } = useTranslation();
  const open = useMemo(
    () => [...dashboard.openCases].sort((a, b) => Number(b.pastTarget) - Number(a.pastTarget) || (b.daysElapsed ?? -1) - (a.daysElapsed ?? -1)),
    [dashboard],
  );
  const past = open.filter((c) => c.pastTarget).length;
  const option = useMemo<EChartsCoreOption>(
    () => ({
      grid: { left: 48, right: 16, top: 24, bottom: 32 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: dashboard.quarters.map((q) => q.quarter) },
      yAxis: { type: 'value', name: t('backOffice.dashboard.days') },
      series: [
        {
          type: 'bar',
          barMaxWidth: 48,
          name: t('backOffice.dashboard.median'),
          data: dashboard.quarters.map((q) => q.medianDays),
          itemStyle: { color: '#1c7ed6' },
        },
      ],
    }),
    [dashboard, t, i18n.language],
  );

  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Figure label={t('backOffice.dashboard.open')} value={open.length} testId="dashboard-open" />
        <Figure label={t('backOffice.dashboard.pastTarget')} value={past} testId="dashboard-past" alert={past > 0} />
        <Figure label={t('backOffice.dashboard.published')} value={dashboard.quarters.reduce((sum, q) => sum + q.published, 0)} testId="dashboard-published" />
      </SimpleGrid>
      <Section title={t('backOffice.dashboard.openCases')} testId="dashboard-cases">
        <Anchor href={dashboardCsvUrl('cases')} download size="sm" data-testid="dashboard-csv-cases">
          {t('statistics.downloadCsv')}
        </Anchor>
        {open.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('backOffice.dashboard.noOpen')}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={900}>
            <Table striped verticalSpacing={4} data-testid="dashboard-table">
              <Table.Thead style={{ whiteSpace: 'nowrap' }}>
                <Table.Tr>
                  <Table.Th>{t('vulnerabilities.cases.reference')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.cases.caseTitle')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.cases.status')}</Table.Th>
                  <Table.Th>{t('backOffice.dashboard.firstContact')}</Table.Th>
                  <Table.Th>{t('backOffice.dashboard.elapsed')}</Table.Th>
                  <Table.Th>{t('vulnerabilities.case.target')}</Table.Th>
                  <Table.Th>{t('backOffice.dashboard.toTarget')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {open.map((c) => (
                  <Table.Tr key={c.caseId} data-testid="dashboard-row" data-reference={c.reference} data-past={c.pastTarget ? 'yes' : 'no'}>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <AnchorLink to="/cases/$caseId" params={{ caseId: c.caseId }} ff="monospace" size="sm">
                        {c.reference}
                      </AnchorLink>
                    </Table.Td>
                    <Table.Td miw={180} maw={320} style={{ wordBreak: 'break-word' }}>
                      {c.title}
                    </Table.Td>
                    <Table.Td>
                      {/* A table cell's min-width is only a hint; the wrapper keeps the badge's word whole. */}
                      <div style={{ minWidth: 130 }}>
                        <CaseStatusBadge status={c.status} />
                      </div>
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{c.firstContactAt ? <DateTime value={c.firstContactAt} /> : '—'}</Table.Td>
                    <Table.Td data-testid="dashboard-elapsed">
                      {c.daysElapsed === null ? '—' : t('backOffice.dashboard.daysCount', { count: c.daysElapsed })}
                    </Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>{c.targetPublicationAt ? <DateTime value={c.targetPublicationAt} /> : '—'}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      {c.daysToTarget === null ? (
                        '—'
                      ) : c.pastTarget ? (
                        <Badge color="red" data-testid="dashboard-past-badge">
                          {t('backOffice.dashboard.overdue', { count: -c.daysToTarget })}
                        </Badge>
                      ) : (
                        t('backOffice.dashboard.daysCount', { count: c.daysToTarget })
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Section>
      <Section title={t('backOffice.dashboard.quarters')} description={t('backOffice.dashboard.quartersHelp')} testId="dashboard-quarters">
        <Anchor href={dashboardCsvUrl('quarters')} download size="sm" data-testid="dashboard-csv-quarters">
          {t('statistics.downloadCsv')}
        </Anchor>
        {dashboard.quarters.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('backOffice.dashboard.noPublished')}
          </Text>
        ) : (
          <>
            <Chart option={option} height={240} label={t('backOffice.dashboard.quarters')} testId="dashboard-chart" />
            <Table verticalSpacing={4} data-testid="quarters-table">
              <Table.Thead style={{ whiteSpace: 'nowrap' }}>
                <Table.Tr>
                  <Table.Th>{t('backOffice.dashboard.quarter')}</Table.Th>
                  <Table.Th>{t('backOffice.dashboard.publishedCount')}</Table.Th>
                  <Table.Th>{t('backOffice.dashboard.median')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {dashboard.quarters.map((q) => (
                  <Table.Tr key={q.quarter} data-testid="quarter-row">
                    <Table.Td>{q.quarter}</Table.Td>
                    <Table.Td>{q.published}</Table.Td>
                    <Table.Td>{t('backOffice.dashboard.daysCount', { count: q.medianDays })}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </>
        )}
      </Section>
    </Stack>
  );
}

function Figure({ label, value, testId, alert = false }: { label: string; value: number; testId: string; alert?: boolean }) {
  return (
    <Group gap="xs" p="md" style={{ border: '1px solid var(--mantine-color-gray-3)', borderRadius: 8 }} data-testid={testId}>
      <Text size="xl" fw={700} c={alert ? 'red' : undefined}>
        {value}
      </Text>
      <Text size="sm" c="dimmed">
        {label}
      </Text>
    </Group>
  );
}
