/**
 * Months, quarters and fiscal years as the team counts them. A month is an index (year × 12 + month − 1)
 * so ranges are plain integers; fiscal years are named by the calendar year they start in (2026年度 =
 * April 2026 to March 2027 with the Japanese April start).
 */

export type PeriodKind = 'month' | 'quarter' | 'fiscal_year';

export interface Period {
  kind: PeriodKind;
  /** `2026-04`, `FY2026-Q1`, `FY2026` */
  label: string;
  fiscalYear: number;
  /** 1–4 for quarters; null otherwise. */
  quarter: number | null;
  /** First and last month (inclusive), as month indexes. */
  from: number;
  to: number;
}

/** @example parseMonth('2026-04') // 24315 */
export function parseMonth(value: string): number | null {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(value);
  if (!match) return null;
  return Number(match[1]) * 12 + Number(match[2]) - 1;
}

/** @example formatMonth(parseMonth('2026-04')!) // '2026-04' */
export function formatMonth(index: number): string {
  const year = Math.floor(index / 12);
  return `${String(year).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Every month from `from` to `to`, inclusive. */
export function monthsBetween(from: number, to: number): number[] {
  const out: number[] = [];
  for (let m = from; m <= to; m++) out.push(m);
  return out;
}

/** The month an instant falls in, in a time zone. @example monthOfInstant(new Date('2026-03-31T20:00Z'), 'Asia/Tokyo') // April 2026 */
export function monthOfInstant(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric' }).formatToParts(instant);
  const year = Number(parts.find((p) => p.type === 'year')?.value);
  const month = Number(parts.find((p) => p.type === 'month')?.value);
  return year * 12 + month - 1;
}

/** The fiscal year a month belongs to. @example fiscalYearOf(parseMonth('2027-03')!, 4) // 2026 */
export function fiscalYearOf(month: number, startMonth: number): number {
  return Math.floor((month - (startMonth - 1)) / 12);
}

export function monthPeriod(month: number, startMonth: number): Period {
  return { kind: 'month', label: formatMonth(month), fiscalYear: fiscalYearOf(month, startMonth), quarter: null, from: month, to: month };
}

/** @example quarterPeriod(2026, 1, 4) // April–June 2026 */
export function quarterPeriod(fiscalYear: number, quarter: number, startMonth: number): Period {
  const from = fiscalYear * 12 + (startMonth - 1) + (quarter - 1) * 3;
  return { kind: 'quarter', label: `FY${fiscalYear}-Q${quarter}`, fiscalYear, quarter, from, to: from + 2 };
}

export function fiscalYearPeriod(fiscalYear: number, startMonth: number): Period {
  const from = fiscalYear * 12 + (startMonth - 1);
  return { kind: 'fiscal_year', label: `FY${fiscalYear}`, fiscalYear, quarter: null, from, to: from + 11 };
}

/** The fiscal quarter a month belongs to. */
export function quarterOf(month: number, startMonth: number): Period {
  const fiscalYear = fiscalYearOf(month, startMonth);
  const offset = month - (fiscalYear * 12 + startMonth - 1);
  return quarterPeriod(fiscalYear, Math.floor(offset / 3) + 1, startMonth);
}

/** The period before: the previous month, quarter (Q1 → the previous year's Q4) or fiscal year. */
export function previousPeriod(period: Period, startMonth: number): Period {
  switch (period.kind) {
    case 'month':
      return monthPeriod(period.from - 1, startMonth);
    case 'quarter':
      return period.quarter === 1
        ? quarterPeriod(period.fiscalYear - 1, 4, startMonth)
        : quarterPeriod(period.fiscalYear, (period.quarter ?? 1) - 1, startMonth);
    case 'fiscal_year':
      return fiscalYearPeriod(period.fiscalYear - 1, startMonth);
  }
}

/** The period after (for "next" links). */
export function nextPeriod(period: Period, startMonth: number): Period {
  switch (period.kind) {
    case 'month':
      return monthPeriod(period.from + 1, startMonth);
    case 'quarter':
      return period.quarter === 4
        ? quarterPeriod(period.fiscalYear + 1, 1, startMonth)
        : quarterPeriod(period.fiscalYear, (period.quarter ?? 1) + 1, startMonth);
    case 'fiscal_year':
      return fiscalYearPeriod(period.fiscalYear + 1, startMonth);
  }
}

/** `2026-04-01 00:00:00`: the local wall-clock start of a month, for `::timestamp AT TIME ZONE`. */
export function monthStartLocal(month: number): string {
  return `${formatMonth(month)}-01 00:00:00`;
}
