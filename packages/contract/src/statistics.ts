import { type Static, Type } from '@sinclair/typebox';
import { INCIDENT_CATEGORIES } from './incidents.ts';

/** The three counts a CSIRT publishes side by side. */
export const STATISTICS_MEASURES = ['reports', 'incidents', 'coordinations'] as const;
export type StatisticsMeasure = (typeof STATISTICS_MEASURES)[number];

/** Takedown time (first report → site down) of phishing incidents, in these buckets. */
export const TAKEDOWN_BUCKETS = ['under_1_day', '1_to_3_days', '3_to_7_days', 'over_7_days', 'not_down', 'unknown'] as const;
export type TakedownBucket = (typeof TAKEDOWN_BUCKETS)[number];

export const MEASURE_LABELS: Record<StatisticsMeasure, { en: string; ja: string }> = {
  reports: { en: 'Reports received', ja: '報告件数' },
  incidents: { en: 'Incidents', ja: 'インシデント件数' },
  coordinations: { en: 'Coordinations', ja: '調整件数' },
};

export const TAKEDOWN_LABELS: Record<TakedownBucket, { en: string; ja: string }> = {
  under_1_day: { en: 'Under 1 day', ja: '1日未満' },
  '1_to_3_days': { en: '1–3 days', ja: '1〜3日' },
  '3_to_7_days': { en: '3–7 days', ja: '3〜7日' },
  over_7_days: { en: 'Over 7 days', ja: '7日超' },
  not_down: { en: 'Not yet down', ja: '未停止' },
  unknown: { en: 'Unknown', ja: '不明' },
};

/** Months are `YYYY-MM` in the team's time zone. */
export const MONTH_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])$';
const Month = Type.String({ pattern: MONTH_PATTERN, description: 'YYYY-MM, a month in the team time zone' });
const Count = Type.Integer({ minimum: 0 });
const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((value) => Type.Literal(value)));

export const StatisticsCounts = Type.Object({ reports: Count, incidents: Count, coordinations: Count });
export type StatisticsCounts = Static<typeof StatisticsCounts>;

export const StatisticsFormat = Type.Optional(literals(['json', 'csv'] as const));

export const MonthlyStatisticsQuery = Type.Object({
  from: Type.Optional(Month),
  to: Type.Optional(Month),
  format: StatisticsFormat,
});
export type MonthlyStatisticsQuery = Static<typeof MonthlyStatisticsQuery>;

export const CategoryCounts = Type.Composite([Type.Object({ category: literals(INCIDENT_CATEGORIES) }), StatisticsCounts]);

/** `GET /api/v1/statistics/incidents`: the three counts per month and category (every category, zeros included). */
export const MonthlyStatistics = Type.Object({
  timeZone: Type.String(),
  fiscalYearStartMonth: Type.Integer({ minimum: 1, maximum: 12 }),
  from: Month,
  to: Month,
  months: Type.Array(Type.Object({ month: Month, categories: Type.Array(CategoryCounts), total: StatisticsCounts })),
  total: StatisticsCounts,
});
export type MonthlyStatistics = Static<typeof MonthlyStatistics>;

export const PeriodKind = literals(['month', 'quarter', 'fiscal_year'] as const);
export const StatisticsPeriod = Type.Object({
  kind: PeriodKind,
  /** `2026-04`, `FY2026-Q1`, `FY2026` */
  label: Type.String(),
  fiscalYear: Type.Integer(),
  quarter: Type.Union([Type.Integer({ minimum: 1, maximum: 4 }), Type.Null()]),
  from: Month,
  to: Month,
});
export type StatisticsPeriod = Static<typeof StatisticsPeriod>;

const Change = Type.Object({ reports: Type.Integer(), incidents: Type.Integer(), coordinations: Type.Integer() });

/** This period beside the previous one, per category: the layout of JPCERT/CC's quarterly report. */
export const PeriodComparison = Type.Object({
  timeZone: Type.String(),
  fiscalYearStartMonth: Type.Integer({ minimum: 1, maximum: 12 }),
  period: StatisticsPeriod,
  previous: StatisticsPeriod,
  /** The months of this period, so each measure reads month by month. */
  months: Type.Array(Month),
  categories: Type.Array(
    Type.Object({
      category: literals(INCIDENT_CATEGORIES),
      current: StatisticsCounts,
      previous: StatisticsCounts,
      change: Change,
      byMonth: Type.Array(StatisticsCounts),
    }),
  ),
  total: Type.Object({ current: StatisticsCounts, previous: StatisticsCounts, change: Change, byMonth: Type.Array(StatisticsCounts) }),
});
export type PeriodComparison = Static<typeof PeriodComparison>;

export const QuarterlyStatisticsQuery = Type.Object({
  fy: Type.Integer({ minimum: 2000, maximum: 2100, description: 'Fiscal year, named by the calendar year it starts in' }),
  q: Type.Integer({ minimum: 1, maximum: 4 }),
  format: StatisticsFormat,
});
export const FiscalYearStatisticsQuery = Type.Object({ fy: Type.Integer({ minimum: 2000, maximum: 2100 }), format: StatisticsFormat });
export const MonthStatisticsQuery = Type.Object({ month: Month, format: StatisticsFormat });

export const PhishingStatisticsQuery = Type.Object({ from: Type.Optional(Month), to: Type.Optional(Month), format: StatisticsFormat });

/** Phishing incidents of a range: by brand sector, domestic or foreign brand, and takedown time. */
export const PhishingStatistics = Type.Object({
  timeZone: Type.String(),
  from: Month,
  to: Month,
  total: Count,
  byOrigin: Type.Object({ domestic: Count, foreign: Count, unknown: Count }),
  /** Sector as the analysts wrote it; `null` = not recorded. Largest first. */
  bySector: Type.Array(Type.Object({ sector: Type.Union([Type.String(), Type.Null()]), domestic: Count, foreign: Count, unknown: Count, total: Count })),
  takedown: Type.Array(Type.Object({ bucket: literals(TAKEDOWN_BUCKETS), count: Count })),
});
export type PhishingStatistics = Static<typeof PhishingStatistics>;
