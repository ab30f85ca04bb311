import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import { toCsv } from '../kernel/csv.ts';
import type { RequestContext } from '../policy/actor.ts';
import { monthOfInstant, quarterOf } from '../statistics/index.ts';
import { backOfficePolicy } from './back-office.policy.ts';
import { openCaseDates, publishedCaseDates } from './case-dates.repository.ts';

export interface CaseDatesDeps {
  db: Kysely<Schema>;
  now: () => Date;
  /** The team's time zone and first month of the fiscal year (the statistics domain's convention). */
  timeZone: string;
  fiscalYearStartMonth: number;
}

const DAY = 86_400_000;

export interface DashboardRow {
  caseId: string;
  reference: string;
  title: string;
  status: string;
  firstContactAt: Date | null;
  daysElapsed: number | null;
  targetPublicationAt: Date | null;
  daysToTarget: number | null;
  pastTarget: boolean;
}

export interface Dashboard {
  openCases: DashboardRow[];
  quarters: { quarter: string; published: number; medianDays: number }[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Math.round(value * 10) / 10;
}

/**
 * The dates of cases: days since each open case's first 起算日 and to its target, the cases past target,
 * and the median days from first 起算日 to publication per fiscal quarter (the figure IPA publishes).
 */
export function createCaseDates(deps: CaseDatesDeps) {
  const { db, now } = deps;

  async function caseDashboard(ctx: RequestContext): Promise<Dashboard> {
    backOfficePolicy.authorize(ctx.actor, 'dashboard.read');
    const at = now().getTime();
    const open = await openCaseDates(db);
    const openCases = open.map((c) => {
      const first = c.first_contact_at ? new Date(c.first_contact_at) : null;
      const target = c.target_publication_at;
      return {
        caseId: c.id,
        reference: c.reference,
        title: c.title,
        status: c.status,
        firstContactAt: first,
        daysElapsed: first ? Math.floor((at - first.getTime()) / DAY) : null,
        targetPublicationAt: target,
        daysToTarget: target ? Math.floor((target.getTime() - at) / DAY) : null,
        pastTarget: target !== null && target.getTime() < at,
      };
    });
    const byQuarter = new Map<string, { from: number; days: number[] }>();
    for (const row of await publishedCaseDates(db)) {
      const published = row.published_at!;
      const quarter = quarterOf(monthOfInstant(published, deps.timeZone), deps.fiscalYearStartMonth);
      const entry = byQuarter.get(quarter.label) ?? { from: quarter.from, days: [] };
      entry.days.push((published.getTime() - new Date(row.first_contact_at!).getTime()) / DAY);
      byQuarter.set(quarter.label, entry);
    }
    const quarters = [...byQuarter.entries()]
      .sort((a, b) => a[1].from - b[1].from)
      .map(([quarter, { days }]) => ({ quarter, published: days.length, medianDays: median(days) }));
    return { openCases, quarters };
  }

  return {
    caseDashboard,

    /** One table of the dashboard as RFC 4180 CSV: the open cases, or the medians per quarter. */
    async caseDashboardCsv(ctx: RequestContext, table: 'cases' | 'quarters'): Promise<string> {
      const { openCases, quarters } = await caseDashboard(ctx);
      const iso = (d: Date | null) => (d ? d.toISOString() : null);
      if (table === 'quarters')
        return toCsv(
          ['fiscal_quarter', 'published', 'median_days'],
          quarters.map((q) => [q.quarter, q.published, q.medianDays]),
        );
      return toCsv(
        ['reference', 'title', 'status', 'first_contact_at', 'days_elapsed', 'target_publication_at', 'days_to_target', 'past_target'],
        openCases.map((c) => [
          c.reference,
          c.title,
          c.status,
          iso(c.firstContactAt),
          c.daysElapsed,
          iso(c.targetPublicationAt),
          c.daysToTarget,
          c.pastTarget ? 'yes' : 'no',
        ]),
      );
    },
  };
}
