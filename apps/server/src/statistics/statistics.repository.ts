import { type Kysely, sql } from 'kysely';
import type { IncidentCategory, StatisticsMeasure, TakedownBucket } from '@renkei/contract';
import type { Schema } from '../db/schema/index.ts';
import { monthStartLocal } from './periods.ts';

/** A range of whole months in the team's time zone: `from` to `to` inclusive (month indexes). */
export interface MonthRange {
  from: number;
  to: number;
  timeZone: string;
  /** Public counts leave out TLP:RED reports and incidents (and the coordinations of RED incidents). */
  publicOnly: boolean;
}

export interface MeasureCountRow {
  measure: StatisticsMeasure;
  month: string;
  category: IncidentCategory;
  n: number;
}

export interface PhishingCountRow {
  sector: string | null;
  domestic: boolean | null;
  bucket: TakedownBucket;
  n: number;
}

// The bounds are the UTC instants of local midnight on the first day of `from` and of the month after `to`,
// so each table's timestamp index serves the range; the month of a row is its local wall-clock month.
function bounds(range: MonthRange) {
  const start = sql`(${monthStartLocal(range.from)}::timestamp AT TIME ZONE ${range.timeZone})`;
  const end = sql`(${monthStartLocal(range.to + 1)}::timestamp AT TIME ZONE ${range.timeZone})`;
  return { start, end };
}

/**
 * The three counts per local month and category, in one statement (one round trip: PGlite runs one
 * statement at a time). What counts is written in docs/ARCHITECTURE.md ("Statistics"):
 * - reports: by `received_at`, discarded ones left out; category of the incident the report is linked to now
 *   (the analyst's word), else the report's own, else `other`;
 * - incidents: by `created_at`, merged ones left out (they count once, as the incident they were merged into);
 * - coordinations: by `sent_at` (when the party was first asked to act; drafts never sent do not count),
 *   in their incident's category.
 */
export async function countByMonth(db: Kysely<Schema>, range: MonthRange): Promise<MeasureCountRow[]> {
  return (await countByMonthQuery(range).execute(db)).rows;
}

/** The statement behind `countByMonth` (the bench prints its plan). */
export function countByMonthQuery(range: MonthRange) {
  const { start, end } = bounds(range);
  const tz = range.timeZone;
  const publicReports = range.publicOnly ? sql`AND r.tlp <> 'red' AND (l.tlp IS NULL OR l.tlp <> 'red')` : sql``;
  const publicIncidents = range.publicOnly ? sql`AND i.tlp <> 'red'` : sql``;
  // Reports take their current incident's category through hash joins over the range's reports (a lateral
  // lookup per report cost ~5 µs a row); a report linked to several incidents counts once, in the first linked.
  return sql<MeasureCountRow>`
    WITH r AS (
      SELECT id, received_at, category, tlp FROM reports
      WHERE received_at >= ${start} AND received_at < ${end} AND status <> 'discarded'
    ), l AS (
      SELECT DISTINCT ON (ir.report_id) ir.report_id, i.category, i.tlp
      FROM incident_reports ir JOIN r ON r.id = ir.report_id JOIN incidents i ON i.id = ir.incident_id
      WHERE ir.unlinked_at IS NULL
      ORDER BY ir.report_id, ir.linked_at, ir.incident_id
    )
    SELECT 'reports' AS measure, to_char(m, 'YYYY-MM') AS month, category, n FROM (
      SELECT date_trunc('month', r.received_at AT TIME ZONE ${tz}) AS m, COALESCE(l.category, r.category, 'other') AS category, count(*)::int AS n
      FROM r LEFT JOIN l ON l.report_id = r.id
      WHERE true ${publicReports}
      GROUP BY 1, 2
    ) reports_by_month
    UNION ALL
    SELECT 'incidents', to_char(m, 'YYYY-MM'), category, n FROM (
      SELECT date_trunc('month', i.created_at AT TIME ZONE ${tz}) AS m, i.category, count(*)::int AS n
      FROM incidents i
      WHERE i.created_at >= ${start} AND i.created_at < ${end} AND i.status <> 'merged' ${publicIncidents}
      GROUP BY 1, 2
    ) incidents_by_month
    UNION ALL
    SELECT 'coordinations', to_char(m, 'YYYY-MM'), category, n FROM (
      SELECT date_trunc('month', c.sent_at AT TIME ZONE ${tz}) AS m, i.category, count(*)::int AS n
      FROM coordinations c JOIN incidents i ON i.id = c.incident_id
      WHERE c.sent_at >= ${start} AND c.sent_at < ${end} ${publicIncidents}
      GROUP BY 1, 2
    ) coordinations_by_month
  `;
}

/**
 * Phishing incidents created in the range, by brand sector, domestic/foreign brand and takedown bucket.
 * Takedown time is `site_down_at − first_reported_at`, bucketed on exact seconds (1 day = 86,400 s);
 * still up = `not_down`; down with no first report time = `unknown`.
 */
export async function phishingCounts(db: Kysely<Schema>, range: MonthRange): Promise<PhishingCountRow[]> {
  const { start, end } = bounds(range);
  const publicIncidents = range.publicOnly ? sql`AND tlp <> 'red'` : sql``;
  const result = await sql<PhishingCountRow>`
    SELECT NULLIF(btrim(brand_sector), '') AS sector, brand_domestic AS domestic,
      CASE
        WHEN site_down_at IS NULL THEN 'not_down'
        WHEN first_reported_at IS NULL THEN 'unknown'
        WHEN extract(epoch FROM site_down_at - first_reported_at) < 86400 THEN 'under_1_day'
        WHEN extract(epoch FROM site_down_at - first_reported_at) < 3 * 86400 THEN '1_to_3_days'
        WHEN extract(epoch FROM site_down_at - first_reported_at) < 7 * 86400 THEN '3_to_7_days'
        ELSE 'over_7_days'
      END AS bucket,
      count(*)::int AS n
    FROM incidents
    WHERE category = 'phishing' AND status <> 'merged' AND created_at >= ${start} AND created_at < ${end} ${publicIncidents}
    GROUP BY 1, 2, 3
  `.execute(db);
  return result.rows;
}
