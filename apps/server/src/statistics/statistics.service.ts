import type { Kysely } from 'kysely';
import {
  INCIDENT_CATEGORIES,
  type IncidentCategory,
  type MonthlyStatistics,
  type PeriodComparison,
  type PhishingStatistics,
  STATISTICS_MEASURES,
  type StatisticsCounts,
  type StatisticsPeriod,
  TAKEDOWN_BUCKETS,
} from '@renkei/contract';
import type { Schema } from '../db/schema/index.ts';
import { BadRequestError, ForbiddenError } from '../kernel/errors.ts';
import type { RequestContext } from '../policy/actor.ts';
import { type Period, formatMonth, monthOfInstant, monthsBetween, parseMonth, previousPeriod } from './periods.ts';
import { type MeasureCountRow, countByMonth, phishingCounts } from './statistics.repository.ts';
import { statisticsPolicy } from './statistics.policy.ts';

export interface StatisticsOptions {
  /** IANA zone the team counts days and months in (config `teamTimeZone`). */
  timeZone: string;
  /** 1–12; 4 = April (config `fiscalYearStartMonth`). */
  fiscalYearStartMonth: number;
  /** Longest range one request may ask for, in months (default 120 = 10 years). */
  maxMonths?: number;
  now?: () => Date;
}

/** Who is asking: staff see every count; the public page leaves out TLP:RED (see the repository). */
export type Audience = 'staff' | 'public';

/**
 * The counts a scope may see: every row (`all`), or the public ones. Counts cannot be limited to an
 * organisation's or a case's rows yet, so any other scope is refused rather than shown everything.
 */
function audienceOf(ctx: RequestContext): Audience {
  const scope = statisticsPolicy.listScope(ctx.actor, 'read');
  if (scope.kind === 'all') return 'staff';
  if (scope.kind === 'public') return 'public';
  throw new ForbiddenError('forbidden', 'Your role does not allow statistics: read');
}

export type StatisticsService = ReturnType<typeof createStatisticsService>;

const zero = (): StatisticsCounts => ({ reports: 0, incidents: 0, coordinations: 0 });
const add = (into: StatisticsCounts, from: StatisticsCounts) => {
  for (const m of STATISTICS_MEASURES) into[m] += from[m];
};
const diff = (a: StatisticsCounts, b: StatisticsCounts): StatisticsCounts => ({
  reports: a.reports - b.reports,
  incidents: a.incidents - b.incidents,
  coordinations: a.coordinations - b.coordinations,
});

/** month → category → counts, every month and category present (zeros included). */
type Grid = Map<number, Map<IncidentCategory, StatisticsCounts>>;

function grid(from: number, to: number, rows: readonly MeasureCountRow[]): Grid {
  const out: Grid = new Map();
  for (const month of monthsBetween(from, to)) out.set(month, new Map(INCIDENT_CATEGORIES.map((c) => [c, zero()])));
  for (const row of rows) {
    const cell = out.get(parseMonth(row.month) ?? -1)?.get(row.category);
    if (cell) cell[row.measure] += row.n;
  }
  return out;
}

function presentPeriod(period: Period): StatisticsPeriod {
  return {
    kind: period.kind,
    label: period.label,
    fiscalYear: period.fiscalYear,
    quarter: period.quarter,
    from: formatMonth(period.from),
    to: formatMonth(period.to),
  };
}

/**
 * The statistics read model over the incidents tables: counts per month, quarter and fiscal year in the
 * team's time zone, the previous period beside them, and the phishing breakdowns.
 * @example const stats = createStatisticsService({ db }, { timeZone: 'Asia/Tokyo', fiscalYearStartMonth: 4 }); await stats.monthly(ctx, { from: '2026-04', to: '2026-06' });
 */
export function createStatisticsService(deps: { db: Kysely<Schema> }, options: StatisticsOptions) {
  const { db } = deps;
  const { timeZone, fiscalYearStartMonth } = options;
  const maxMonths = options.maxMonths ?? 120;
  const now = options.now ?? (() => new Date());

  /** A validated month range; missing ends default to the last 12 months up to the current one. */
  function range(from: string | undefined, to: string | undefined): { from: number; to: number } {
    const current = monthOfInstant(now(), timeZone);
    const end = to === undefined ? (from === undefined ? current : Math.min(current, (parseMonth(from) ?? current) + 11)) : parseMonth(to);
    const start = from === undefined ? (end ?? current) - 11 : parseMonth(from);
    if (start === null) throw new BadRequestError('invalid_month', `"from" must be a month as YYYY-MM, got "${String(from).slice(0, 20)}"`);
    if (end === null) throw new BadRequestError('invalid_month', `"to" must be a month as YYYY-MM, got "${String(to).slice(0, 20)}"`);
    if (start > end) throw new BadRequestError('invalid_range', `"from" (${formatMonth(start)}) is after "to" (${formatMonth(end)})`);
    if (end - start + 1 > maxMonths)
      throw new BadRequestError('range_too_long', `At most ${maxMonths} months at once; ${formatMonth(start)} to ${formatMonth(end)} is ${end - start + 1}`);
    return { from: start, to: end };
  }

  function checkPeriod(period: Period): void {
    if (period.from < 2000 * 12 || period.to > 2101 * 12) throw new BadRequestError('invalid_period', 'The period must lie between 2000 and 2100');
  }

  async function monthlyFor(audience: Audience, from: number, to: number): Promise<Grid> {
    return grid(from, to, await countByMonth(db, { from, to, timeZone, publicOnly: audience === 'public' }));
  }

  async function compare(audience: Audience, period: Period): Promise<PeriodComparison> {
    checkPeriod(period);
    const previous = previousPeriod(period, fiscalYearStartMonth);
    // Previous and current are adjacent: one query over both.
    const cells = await monthlyFor(audience, previous.from, period.to);
    const sum = (from: number, to: number, category: IncidentCategory | null) => {
      const total = zero();
      for (let m = from; m <= to; m++) {
        for (const [c, counts] of cells.get(m) ?? []) if (category === null || c === category) add(total, counts);
      }
      return total;
    };
    const months = monthsBetween(period.from, period.to);
    const row = (category: IncidentCategory | null) => {
      const current = sum(period.from, period.to, category);
      const before = sum(previous.from, previous.to, category);
      return { current, previous: before, change: diff(current, before), byMonth: months.map((m) => sum(m, m, category)) };
    };
    return {
      timeZone,
      fiscalYearStartMonth,
      period: presentPeriod(period),
      previous: presentPeriod(previous),
      months: months.map(formatMonth),
      categories: INCIDENT_CATEGORIES.map((category) => ({ category, ...row(category) })),
      total: row(null),
    };
  }

  async function phishing(audience: Audience, from: number, to: number): Promise<PhishingStatistics> {
    const rows = await phishingCounts(db, { from, to, timeZone, publicOnly: audience === 'public' });
    const origin = (domestic: boolean | null) => (domestic === true ? 'domestic' : domestic === false ? 'foreign' : 'unknown');
    const byOrigin = { domestic: 0, foreign: 0, unknown: 0 };
    const sectors = new Map<string | null, { sector: string | null; domestic: number; foreign: number; unknown: number; total: number }>();
    const takedown = new Map(TAKEDOWN_BUCKETS.map((bucket) => [bucket, 0]));
    let total = 0;
    for (const row of rows) {
      total += row.n;
      byOrigin[origin(row.domestic)] += row.n;
      const sector = sectors.get(row.sector) ?? { sector: row.sector, domestic: 0, foreign: 0, unknown: 0, total: 0 };
      sector[origin(row.domestic)] += row.n;
      sector.total += row.n;
      sectors.set(row.sector, sector);
      takedown.set(row.bucket, (takedown.get(row.bucket) ?? 0) + row.n);
    }
    const bySector = [...sectors.values()].sort(
      (a, b) => b.total - a.total || (a.sector === null ? 1 : b.sector === null ? -1 : a.sector.localeCompare(b.sector)),
    );
    return {
      timeZone,
      from: formatMonth(from),
      to: formatMonth(to),
      total,
      byOrigin,
      bySector,
      takedown: TAKEDOWN_BUCKETS.map((bucket) => ({ bucket, count: takedown.get(bucket) ?? 0 })),
    };
  }

  return {
    timeZone,
    fiscalYearStartMonth,

    /** The month the team is in now. */
    currentMonth: (): number => monthOfInstant(now(), timeZone),

    /** The three counts per month and category over a range of months (`YYYY-MM`, inclusive). */
    async monthly(ctx: RequestContext, query: { from?: string | undefined; to?: string | undefined }): Promise<MonthlyStatistics> {
      const audience = audienceOf(ctx);
      const { from, to } = range(query.from, query.to);
      const cells = await monthlyFor(audience, from, to);
      const total = zero();
      const months = [...cells].map(([month, categories]) => {
        const monthTotal = zero();
        for (const counts of categories.values()) add(monthTotal, counts);
        add(total, monthTotal);
        return { month: formatMonth(month), categories: [...categories].map(([category, counts]) => ({ category, ...counts })), total: monthTotal };
      });
      return { timeZone, fiscalYearStartMonth, from: formatMonth(from), to: formatMonth(to), months, total };
    },

    /** A month, quarter or fiscal year beside the one before, per category and month by month. */
    async compare(ctx: RequestContext, period: Period): Promise<PeriodComparison> {
      return compare(audienceOf(ctx), period);
    },

    /** Phishing by brand sector, domestic or foreign brand, and takedown time, for a range of months. */
    async phishing(ctx: RequestContext, query: { from?: string | undefined; to?: string | undefined }): Promise<PhishingStatistics> {
      const audience = audienceOf(ctx);
      const { from, to } = range(query.from, query.to);
      return phishing(audience, from, to);
    },

    /** What the public page shows: counts only, TLP:RED left out. No authorisation (it is public). */
    publicCompare: (period: Period): Promise<PeriodComparison> => compare('public', period),
    publicPhishing: (period: Period): Promise<PhishingStatistics> => phishing('public', period.from, period.to),
    /** Incidents per month and category for the public chart; TLP:RED left out. */
    async publicMonthly(from: number, to: number): Promise<{ month: string; categories: Record<IncidentCategory, StatisticsCounts> }[]> {
      const cells = await monthlyFor('public', from, to);
      return [...cells].map(([month, categories]) => ({
        month: formatMonth(month),
        categories: Object.fromEntries(categories) as Record<IncidentCategory, StatisticsCounts>,
      }));
    },
  };
}
