import { Anchor, Button, Group, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import {
  CATEGORY_LABELS,
  INCIDENT_CATEGORIES,
  type Locale,
  MEASURE_LABELS,
  type MonthlyStatistics,
  type PeriodComparison,
  type PhishingStatistics,
  STATISTICS_MEASURES,
  type StatisticsMeasure,
  TAKEDOWN_LABELS,
} from '@renkei/contract';
import type { EChartsCoreOption } from 'echarts/core';
import { useForm } from '@mantine/form';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { Section } from '../../../components/section.tsx';
import {
  type FiscalPeriod,
  type MonthRange,
  exportUrls,
  fiscalQuarterOf,
  formatChange,
  useMonthlyStatistics,
  usePeriodStatistics,
  usePhishingStatistics,
} from '../api/statistics.ts';
import { Chart } from './chart.tsx';

// The same colours as the public page's SVG chart (server `statistics-chart.ts`): Okabe–Ito, then grey.
const CATEGORY_COLOURS = ['#0072B2', '#E69F00', '#D55E00', '#009E73', '#CC79A7', '#56B4E9', '#F0E442', '#999999'];
const MEASURE_COLOURS = ['#1c7ed6', '#e8590c', '#2f9e44'];
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

function useLocale(): Locale {
  const { i18n } = useTranslation();
  return i18n.language === 'ja' ? 'ja' : 'en';
}

/** Charts with a table of the same numbers beside each; CSV and JSON downloads of every figure. */
export function StatisticsPage() {
  const { t } = useTranslation();
  const locale = useLocale();
  useDocumentTitle(`${t('statistics.pageTitle')} · Renkei`);
  const [range, setRange] = useState<MonthRange>({});
  const form = useForm({ mode: 'controlled', initialValues: { from: '', to: '' } });
  const monthlyQuery = useMonthlyStatistics(range);
  const phishingQuery = usePhishingStatistics(range);
  const monthly = monthlyQuery.data ?? null;
  const phishing = phishingQuery.data ?? null;
  const error = monthlyQuery.error ?? phishingQuery.error;
  const busy = monthlyQuery.isFetching || phishingQuery.isFetching;
  const [measure, setMeasure] = useState<StatisticsMeasure>('incidents');
  const [chosenPeriod, setPeriod] = useState<FiscalPeriod | null>(null);
  // The quarter of the range's last month until someone picks another.
  const period = chosenPeriod ?? (monthly ? fiscalQuarterOf(monthly.to, monthly.fiscalYearStartMonth) : null);
  const comparisonQuery = usePeriodStatistics(period);
  const comparison = comparisonQuery.data ?? null;

  // The range fields show the months the server answered for (the default range has none typed).
  const { setValues } = form;
  const answeredFrom = monthly?.from;
  const answeredTo = monthly?.to;
  useEffect(() => {
    if (answeredFrom !== undefined && answeredTo !== undefined) setValues({ from: answeredFrom, to: answeredTo });
  }, [answeredFrom, answeredTo, setValues]);

  const submit = ({ from, to }: { from: string; to: string }) => {
    if (MONTH.test(from) && MONTH.test(to)) setRange({ from, to });
  };

  return (
    <Stack gap="lg" data-testid="statistics-page">
      <Title order={1} size="h2">
        {t('statistics.pageTitle')}
      </Title>
      <form onSubmit={form.onSubmit(submit)}>
        <Group align="flex-end" gap="sm">
          <TextInput type="month" label={t('statistics.from')} {...form.getInputProps('from')} data-testid="statistics-from" />
          <TextInput type="month" label={t('statistics.to')} {...form.getInputProps('to')} data-testid="statistics-to" />
          <Button type="submit" loading={busy} disabled={!MONTH.test(form.values.from) || !MONTH.test(form.values.to)} data-testid="statistics-apply">
            {t('statistics.apply')}
          </Button>
        </Group>
      </form>
      {monthly && (
        <Text size="sm" c="dimmed">
          {t('statistics.definitions', { timeZone: monthly.timeZone })}
        </Text>
      )}
      {error !== null && <ErrorAlert error={error} />}
      {monthly && (
        <>
          <ByCategory stats={monthly} measure={measure} onMeasure={setMeasure} locale={locale} />
          <SideBySide stats={monthly} locale={locale} />
        </>
      )}
      <Section title={t('statistics.comparison.title')} description={t('statistics.comparison.description')} testId="statistics-comparison">
        {period && <PeriodPicker period={period} onChange={setPeriod} />}
        {comparisonQuery.error !== null && <ErrorAlert error={comparisonQuery.error} />}
        {comparison && period && <ComparisonTables stats={comparison} period={period} locale={locale} />}
      </Section>
      {phishing && <Phishing stats={phishing} locale={locale} />}
    </Stack>
  );
}

function Downloads({ csv, json }: { csv: string; json: string }) {
  const { t } = useTranslation();
  return (
    <Group gap="md">
      <Anchor href={csv} download size="sm" data-testid="download-csv">
        {t('statistics.downloadCsv')}
      </Anchor>
      <Anchor href={json} target="_blank" rel="noopener" size="sm" data-testid="download-json">
        {t('statistics.downloadJson')}
      </Anchor>
    </Group>
  );
}

function Numeric({ children, strong }: { children: ReactNode; strong?: boolean }) {
  return (
    <Table.Td ta="right" fw={strong ? 700 : undefined} style={{ fontVariantNumeric: 'tabular-nums' }}>
      {children}
    </Table.Td>
  );
}

function ByCategory({
  stats,
  measure,
  onMeasure,
  locale,
}: {
  stats: MonthlyStatistics;
  measure: StatisticsMeasure;
  onMeasure: (m: StatisticsMeasure) => void;
  locale: Locale;
}) {
  const { t } = useTranslation();
  const option = useMemo<EChartsCoreOption>(
    () => ({
      color: CATEGORY_COLOURS,
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 64 },
      xAxis: { type: 'category', data: stats.months.map((m) => m.month) },
      yAxis: { type: 'value', minInterval: 1 },
      series: INCIDENT_CATEGORIES.map((category, i) => ({
        type: 'bar',
        stack: 'all',
        name: CATEGORY_LABELS[category][locale],
        data: stats.months.map((m) => m.categories[i]?.[measure] ?? 0),
      })),
    }),
    [stats, measure, locale],
  );
  return (
    <Section title={t('statistics.byCategory.title')} description={t('statistics.byCategory.description')} testId="statistics-by-category">
      <Group justify="space-between">
        <SegmentedControl
          value={measure}
          onChange={(value) => onMeasure(value as StatisticsMeasure)}
          data={STATISTICS_MEASURES.map((m) => ({ value: m, label: MEASURE_LABELS[m][locale] }))}
          data-testid="statistics-measure"
        />
        <Downloads csv={exportUrls.monthly(stats.from, stats.to, 'csv')} json={exportUrls.monthly(stats.from, stats.to, 'json')} />
      </Group>
      <SimpleGrid cols={{ base: 1, xl: 2 }}>
        <Chart option={option} label={`${t('statistics.byCategory.title')}: ${MEASURE_LABELS[measure][locale]}`} testId="chart-by-category" />
        <Table.ScrollContainer minWidth={700}>
          <Table striped withTableBorder withColumnBorders fz="xs" data-testid="table-by-category">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('statistics.month')}</Table.Th>
                {INCIDENT_CATEGORIES.map((c) => (
                  <Table.Th key={c} ta="right">
                    {CATEGORY_LABELS[c][locale]}
                  </Table.Th>
                ))}
                <Table.Th ta="right">{t('statistics.total')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {stats.months.map((m) => (
                <Table.Tr key={m.month}>
                  <Table.Td>{m.month}</Table.Td>
                  {m.categories.map((c) => (
                    <Numeric key={c.category}>{c[measure]}</Numeric>
                  ))}
                  <Numeric strong>{m.total[measure]}</Numeric>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </SimpleGrid>
    </Section>
  );
}

function SideBySide({ stats, locale }: { stats: MonthlyStatistics; locale: Locale }) {
  const { t } = useTranslation();
  const option = useMemo<EChartsCoreOption>(
    () => ({
      color: MEASURE_COLOURS,
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 48 },
      xAxis: { type: 'category', data: stats.months.map((m) => m.month) },
      yAxis: { type: 'value', minInterval: 1 },
      series: STATISTICS_MEASURES.map((measure) => ({ type: 'bar', name: MEASURE_LABELS[measure][locale], data: stats.months.map((m) => m.total[measure]) })),
    }),
    [stats, locale],
  );
  return (
    <Section title={t('statistics.sideBySide.title')} description={t('statistics.sideBySide.description')} testId="statistics-side-by-side">
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Chart option={option} label={t('statistics.sideBySide.title')} testId="chart-side-by-side" />
        <Table striped withTableBorder withColumnBorders fz="sm" data-testid="table-side-by-side">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('statistics.month')}</Table.Th>
              {STATISTICS_MEASURES.map((m) => (
                <Table.Th key={m} ta="right">
                  {MEASURE_LABELS[m][locale]}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {stats.months.map((m) => (
              <Table.Tr key={m.month}>
                <Table.Td>{m.month}</Table.Td>
                {STATISTICS_MEASURES.map((measure) => (
                  <Numeric key={measure}>{m.total[measure]}</Numeric>
                ))}
              </Table.Tr>
            ))}
            <Table.Tr>
              <Table.Td fw={700}>{t('statistics.total')}</Table.Td>
              {STATISTICS_MEASURES.map((measure) => (
                <Numeric key={measure} strong>
                  {stats.total[measure]}
                </Numeric>
              ))}
            </Table.Tr>
          </Table.Tbody>
        </Table>
      </SimpleGrid>
    </Section>
  );
}

function PeriodPicker({ period, onChange }: { period: FiscalPeriod; onChange: (p: FiscalPeriod) => void }) {
  const { t } = useTranslation();
  const years = Array.from({ length: 10 }, (_, i) => String(period.fiscalYear + 1 - i));
  return (
    <Group gap="sm">
      <Select
        label={t('statistics.comparison.fiscalYear')}
        data={years.map((y) => ({ value: y, label: t('statistics.comparison.fy', { year: y }) }))}
        value={String(period.fiscalYear)}
        onChange={(value) => value && onChange({ ...period, fiscalYear: Number(value) })}
        allowDeselect={false}
        w={160}
        data-testid="statistics-fy"
      />
      <Select
        label={t('statistics.comparison.period')}
        data={[
          ...[1, 2, 3, 4].map((q) => ({ value: String(q), label: t('statistics.comparison.quarter', { quarter: q }) })),
          { value: 'year', label: t('statistics.comparison.wholeYear') },
        ]}
        value={period.quarter === null ? 'year' : String(period.quarter)}
        onChange={(value) => value && onChange({ ...period, quarter: value === 'year' ? null : Number(value) })}
        allowDeselect={false}
        w={180}
        data-testid="statistics-quarter"
      />
    </Group>
  );
}

function ComparisonTables({ stats, period, locale }: { stats: PeriodComparison; period: FiscalPeriod; locale: Locale }) {
  const { t } = useTranslation();
  const rows = [
    ...stats.categories.map((c) => ({ ...c, label: CATEGORY_LABELS[c.category][locale], key: c.category })),
    { ...stats.total, label: t('statistics.total'), key: 'total' },
  ];
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Text size="sm">
          {t('statistics.comparison.against', {
            current: `${stats.period.label} (${stats.period.from} – ${stats.period.to})`,
            previous: `${stats.previous.label} (${stats.previous.from} – ${stats.previous.to})`,
          })}
        </Text>
        <Downloads csv={exportUrls.period(period, 'csv')} json={exportUrls.period(period, 'json')} />
      </Group>
      {STATISTICS_MEASURES.map((measure) => (
        <Table.ScrollContainer key={measure} minWidth={700}>
          <Table striped withTableBorder withColumnBorders fz="sm" captionSide="top" data-testid={`comparison-${measure}`}>
            <Table.Caption ta="left" fw={700}>
              {MEASURE_LABELS[measure][locale]}
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('statistics.category')}</Table.Th>
                {stats.months.map((m) => (
                  <Table.Th key={m} ta="right">
                    {m}
                  </Table.Th>
                ))}
                <Table.Th ta="right">{stats.period.label}</Table.Th>
                <Table.Th ta="right">{stats.previous.label}</Table.Th>
                <Table.Th ta="right">{t('statistics.comparison.change')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((row) => (
                <Table.Tr key={row.key} data-category={row.key}>
                  <Table.Td fw={row.key === 'total' ? 700 : undefined}>{row.label}</Table.Td>
                  {row.byMonth.map((counts, i) => (
                    <Numeric key={i}>{counts[measure]}</Numeric>
                  ))}
                  <Numeric strong>{row.current[measure]}</Numeric>
                  <Numeric>{row.previous[measure]}</Numeric>
                  <Numeric>{formatChange(row.change[measure])}</Numeric>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ))}
    </Stack>
  );
}

function Phishing({ stats, locale }: { stats: PhishingStatistics; locale: Locale }) {
  const { t } = useTranslation();
  const option = useMemo<EChartsCoreOption>(
    () => ({
      color: ['#0072B2'],
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 40, right: 16, top: 16, bottom: 32 },
      xAxis: { type: 'category', data: stats.takedown.map((b) => TAKEDOWN_LABELS[b.bucket][locale]) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', name: t('statistics.phishing.incidents'), data: stats.takedown.map((b) => b.count) }],
    }),
    [stats, locale, t],
  );
  const origin = (key: 'domestic' | 'foreign' | 'unknown') => t(`statistics.phishing.${key}`);
  return (
    <Section
      title={t('statistics.phishing.title')}
      description={t('statistics.phishing.description', { from: stats.from, to: stats.to, total: stats.total })}
      testId="statistics-phishing-section"
    >
      <Downloads csv={exportUrls.phishing(stats.from, stats.to, 'csv')} json={exportUrls.phishing(stats.from, stats.to, 'json')} />
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Chart option={option} height={260} label={t('statistics.phishing.takedown')} testId="chart-takedown" />
        <Table striped withTableBorder withColumnBorders fz="sm" captionSide="top" data-testid="table-takedown">
          <Table.Caption ta="left" fw={700}>
            {t('statistics.phishing.takedown')}
          </Table.Caption>
          <Table.Tbody>
            {stats.takedown.map((b) => (
              <Table.Tr key={b.bucket} data-bucket={b.bucket}>
                <Table.Td>{TAKEDOWN_LABELS[b.bucket][locale]}</Table.Td>
                <Numeric>{b.count}</Numeric>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </SimpleGrid>
      <Table striped withTableBorder withColumnBorders fz="sm" captionSide="top" data-testid="table-sectors">
        <Table.Caption ta="left" fw={700}>
          {t('statistics.phishing.bySector')}
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('statistics.phishing.sector')}</Table.Th>
            <Table.Th ta="right">{origin('domestic')}</Table.Th>
            <Table.Th ta="right">{origin('foreign')}</Table.Th>
            <Table.Th ta="right">{origin('unknown')}</Table.Th>
            <Table.Th ta="right">{t('statistics.total')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {stats.bySector.map((s) => (
            <Table.Tr key={s.sector ?? ''}>
              <Table.Td>{s.sector ?? t('statistics.phishing.noSector')}</Table.Td>
              <Numeric>{s.domestic}</Numeric>
              <Numeric>{s.foreign}</Numeric>
              <Numeric>{s.unknown}</Numeric>
              <Numeric strong>{s.total}</Numeric>
            </Table.Tr>
          ))}
          <Table.Tr>
            <Table.Td fw={700}>{t('statistics.total')}</Table.Td>
            <Numeric strong>{stats.byOrigin.domestic}</Numeric>
            <Numeric strong>{stats.byOrigin.foreign}</Numeric>
            <Numeric strong>{stats.byOrigin.unknown}</Numeric>
            <Numeric strong>{stats.total}</Numeric>
          </Table.Tr>
        </Table.Tbody>
      </Table>
    </Section>
  );
}
