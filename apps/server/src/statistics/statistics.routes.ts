import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import {
  FiscalYearStatisticsQuery,
  MonthStatisticsQuery,
  MonthlyStatistics,
  MonthlyStatisticsQuery,
  PeriodComparison,
  PhishingStatistics,
  PhishingStatisticsQuery,
  QuarterlyStatisticsQuery,
  STATISTICS_MEASURES,
} from '@renkei/contract';
import { BadRequestError } from '../kernel/errors.ts';
import { errorResponses } from '../http/openapi.ts';
import { type CsvCell, toCsv } from '../kernel/csv.ts';
import { fiscalYearPeriod, monthPeriod, parseMonth, quarterPeriod } from './periods.ts';
import type { StatisticsService } from './statistics.service.ts';

const tags = ['statistics'];
const CSV_NOTE = ' `?format=csv` answers RFC 4180 CSV with a header row instead of JSON.';

function sendCsv(reply: FastifyReply, name: string, header: readonly string[], rows: readonly (readonly CsvCell[])[]) {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}.csv"`)
    .send(toCsv(header, rows));
}

/** month,category,reports,incidents,coordinations: one row per month and category, zeros included. */
export function monthlyCsvRows(stats: MonthlyStatistics): CsvCell[][] {
  return stats.months.flatMap((month) => month.categories.map((c) => [month.month, c.category, c.reports, c.incidents, c.coordinations]));
}

/** category,measure,<each month>,current,previous,change: JPCERT/CC's table, one row per category and measure. */
export function comparisonCsv(stats: PeriodComparison): { header: string[]; rows: CsvCell[][] } {
  const header = ['category', 'measure', ...stats.months, `current (${stats.period.label})`, `previous (${stats.previous.label})`, 'change'];
  const rows = [...stats.categories, { category: 'total' as const, ...stats.total }].flatMap((row) =>
    STATISTICS_MEASURES.map((measure) => [
      row.category,
      measure,
      ...row.byMonth.map((counts) => counts[measure]),
      row.current[measure],
      row.previous[measure],
      row.change[measure],
    ]),
  );
  return { header, rows };
}

/** The statistics API under /api/v1: staff roles; the public page is `statistics-portal.routes.ts`. */
export const statisticsRoutes: FastifyPluginAsyncTypebox<{ statistics: StatisticsService }> = async (app, { statistics }) => {
  app.get(
    '/statistics/incidents',
    {
      schema: {
        tags,
        summary: `Reports received, incidents and coordinations per month and category (team time zone; default the last 12 months; at most 120 months).${CSV_NOTE}`,
        querystring: MonthlyStatisticsQuery,
        response: { 200: MonthlyStatistics, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const stats = await statistics.monthly(request.ctx, { from: request.query.from, to: request.query.to });
      if (request.query.format === 'csv')
        return sendCsv(reply, `incidents-${stats.from}_${stats.to}`, ['month', 'category', 'reports', 'incidents', 'coordinations'], monthlyCsvRows(stats));
      return stats;
    },
  );

  const comparison = async (reply: FastifyReply, format: 'json' | 'csv' | undefined, stats: PeriodComparison) => {
    if (format !== 'csv') return stats;
    const { header, rows } = comparisonCsv(stats);
    return sendCsv(reply, `incidents-${stats.period.label}`, header, rows);
  };

  app.get(
    '/statistics/incidents/quarterly',
    {
      schema: {
        tags,
        summary: `A fiscal quarter beside the previous one, per category and month by month (the layout of JPCERT/CC's quarterly report).${CSV_NOTE}`,
        querystring: QuarterlyStatisticsQuery,
        response: { 200: PeriodComparison, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) =>
      comparison(
        reply,
        request.query.format,
        await statistics.compare(request.ctx, quarterPeriod(request.query.fy, request.query.q, statistics.fiscalYearStartMonth)),
      ),
  );

  app.get(
    '/statistics/incidents/fiscal-year',
    {
      schema: {
        tags,
        summary: `A fiscal year (named by the year it starts in) beside the previous one, per category and month.${CSV_NOTE}`,
        querystring: FiscalYearStatisticsQuery,
        response: { 200: PeriodComparison, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) =>
      comparison(reply, request.query.format, await statistics.compare(request.ctx, fiscalYearPeriod(request.query.fy, statistics.fiscalYearStartMonth))),
  );

  app.get(
    '/statistics/incidents/monthly',
    {
      schema: {
        tags,
        summary: `One month beside the month before, per category.${CSV_NOTE}`,
        querystring: MonthStatisticsQuery,
        response: { 200: PeriodComparison, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const month = parseMonth(request.query.month);
      if (month === null) throw new BadRequestError('invalid_month', 'month must be YYYY-MM');
      return comparison(reply, request.query.format, await statistics.compare(request.ctx, monthPeriod(month, statistics.fiscalYearStartMonth)));
    },
  );

  app.get(
    '/statistics/phishing',
    {
      schema: {
        tags,
        summary: `Phishing incidents of a range of months: domestic or foreign brand, brand sector, takedown time (first report → site down) in buckets.${CSV_NOTE}`,
        querystring: PhishingStatisticsQuery,
        response: { 200: PhishingStatistics, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const stats = await statistics.phishing(request.ctx, { from: request.query.from, to: request.query.to });
      if (request.query.format !== 'csv') return stats;
      // One table in long form: which breakdown, which key, how many.
      const rows: CsvCell[][] = [
        ...(['domestic', 'foreign', 'unknown'] as const).map((origin) => ['origin', origin, '', stats.byOrigin[origin]]),
        ...stats.bySector.flatMap((s) => (['domestic', 'foreign', 'unknown'] as const).map((origin) => ['sector', s.sector ?? '', origin, s[origin]])),
        ...stats.takedown.map((t) => ['takedown', t.bucket, '', t.count]),
      ];
      return sendCsv(reply, `phishing-${stats.from}_${stats.to}`, ['breakdown', 'key', 'origin', 'incidents'], rows);
    },
  );
};
