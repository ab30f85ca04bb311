import type { MonthlyStatistics, PeriodComparison, PhishingStatistics } from '@renkei/contract';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { API_BASE, apiRequest } from '../../../lib/api.ts';

export type ExportFormat = 'json' | 'csv';

/** A comparison period: a fiscal quarter, or the whole fiscal year (`quarter` null). */
export interface FiscalPeriod {
  fiscalYear: number;
  quarter: number | null;
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

const monthlyPath = (from?: string, to?: string, format?: ExportFormat) =>
  `/statistics/incidents${query({ from, to, format: format === 'csv' ? 'csv' : undefined })}`;
const periodPath = (period: FiscalPeriod, format?: ExportFormat) =>
  period.quarter === null
    ? `/statistics/incidents/fiscal-year${query({ fy: period.fiscalYear, format: format === 'csv' ? 'csv' : undefined })}`
    : `/statistics/incidents/quarterly${query({ fy: period.fiscalYear, q: period.quarter, format: format === 'csv' ? 'csv' : undefined })}`;
const phishingPath = (from?: string, to?: string, format?: ExportFormat) =>
  `/statistics/phishing${query({ from, to, format: format === 'csv' ? 'csv' : undefined })}`;

/** The three counts per month and category; no range = the last 12 months. @example await monthlyStatistics('2026-04', '2026-06') */
export function monthlyStatistics(from?: string, to?: string): Promise<MonthlyStatistics> {
  return apiRequest<MonthlyStatistics>('GET', monthlyPath(from, to));
}

/** A fiscal quarter or year beside the previous one. @example await periodStatistics({ fiscalYear: 2026, quarter: 1 }) */
export function periodStatistics(period: FiscalPeriod): Promise<PeriodComparison> {
  return apiRequest<PeriodComparison>('GET', periodPath(period));
}

/** Phishing by brand origin, sector and takedown time. */
export function phishingStatistics(from?: string, to?: string): Promise<PhishingStatistics> {
  return apiRequest<PhishingStatistics>('GET', phishingPath(from, to));
}

/** Download links (same origin; the session cookie goes along). */
export const exportUrls = {
  monthly: (from: string, to: string, format: ExportFormat) => `${API_BASE}${monthlyPath(from, to, format)}`,
  period: (period: FiscalPeriod, format: ExportFormat) => `${API_BASE}${periodPath(period, format)}`,
  phishing: (from: string, to: string, format: ExportFormat) => `${API_BASE}${phishingPath(from, to, format)}`,
};

/**
 * The fiscal year and quarter a `YYYY-MM` month falls in, for a fiscal year starting in `startMonth`.
 * @example fiscalQuarterOf('2027-02', 4) // { fiscalYear: 2026, quarter: 4 }
 */
export function fiscalQuarterOf(month: string, startMonth: number): { fiscalYear: number; quarter: number } {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + m - 1 - (startMonth - 1);
  const fiscalYear = Math.floor(index / 12);
  return { fiscalYear, quarter: Math.floor((index - fiscalYear * 12) / 3) + 1 };
}

/** Signed change as people write it: +3, −2, ±0. */
export function formatChange(delta: number): string {
  return delta > 0 ? `+${delta}` : delta < 0 ? `−${Math.abs(delta)}` : '±0';
}

/** A month range; both absent means the last 12 months. */
export interface MonthRange {
  from?: string;
  to?: string;
}

export const statisticsKeys = {
  monthly: (range: MonthRange) => ['statistics', 'monthly', range] as const,
  phishing: (range: MonthRange) => ['statistics', 'phishing', range] as const,
  period: (period: FiscalPeriod | null) => ['statistics', 'period', period] as const,
};

/** The figures stay on screen while another range loads. @example const { data } = useMonthlyStatistics({}); */
export function useMonthlyStatistics(range: MonthRange) {
  return useQuery({ queryKey: statisticsKeys.monthly(range), queryFn: () => monthlyStatistics(range.from, range.to), placeholderData: keepPreviousData });
}

/** @example const { data } = usePhishingStatistics({ from: '2026-04', to: '2026-06' }); */
export function usePhishingStatistics(range: MonthRange) {
  return useQuery({ queryKey: statisticsKeys.phishing(range), queryFn: () => phishingStatistics(range.from, range.to), placeholderData: keepPreviousData });
}

/** Nothing until a period is known. @example usePeriodStatistics({ fiscalYear: 2026, quarter: 1 }) */
export function usePeriodStatistics(period: FiscalPeriod | null) {
  return useQuery({
    queryKey: statisticsKeys.period(period),
    queryFn: () => periodStatistics(period ?? { fiscalYear: 0, quarter: null }),
    enabled: period !== null,
    placeholderData: keepPreviousData,
  });
}
