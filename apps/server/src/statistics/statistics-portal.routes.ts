import type { FastifyPluginAsync } from 'fastify';
import {
  CATEGORY_LABELS,
  INCIDENT_CATEGORIES,
  type IncidentCategory,
  type Locale,
  MEASURE_LABELS,
  type PeriodComparison,
  type PhishingStatistics,
  STATISTICS_MEASURES,
  type StatisticsMeasure,
  TAKEDOWN_BUCKETS,
  TAKEDOWN_LABELS,
} from '@renkei/contract';
import { type PublicSite, type SafeHtml, html } from '../portal/index.ts';
import { type Period, formatMonth, nextPeriod, previousPeriod, quarterOf, quarterPeriod } from './periods.ts';
import { stackedBarSvg } from './statistics-chart.ts';
import { STATISTICS_PAGE_STRINGS } from './statistics-portal.strings.ts';
import type { StatisticsService } from './statistics.service.ts';

const monthName = (month: string, locale: Locale) => {
  const [year, m] = month.split('-');
  return locale === 'ja'
    ? `${year}年${Number(m)}月`
    : `${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(m) - 1]} ${year}`;
};

function periodName(period: Period, locale: Locale): string {
  const first = monthName(formatMonth(period.from), locale);
  const last = monthName(formatMonth(period.to), locale);
  return locale === 'ja'
    ? `${period.fiscalYear}年度 第${period.quarter}四半期(${first}〜${last})`
    : `FY${period.fiscalYear} Q${period.quarter} (${first} – ${last})`;
}

/** +3, −2, ±0, and the percentage when there is a previous figure. */
function change(current: number, previous: number): string {
  const delta = current - previous;
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  const percent = previous > 0 ? ` (${sign}${Math.round((Math.abs(delta) / previous) * 100)}%)` : '';
  return `${sign}${Math.abs(delta)}${percent}`;
}

function measureTable(stats: PeriodComparison, measure: StatisticsMeasure, locale: Locale): SafeHtml {
  const t = STATISTICS_PAGE_STRINGS.in(locale);
  const rows = [...stats.categories, { category: 'total' as const, ...stats.total }];
  return html`<table class="stats" data-measure="${measure}">
    <caption>
      ${MEASURE_LABELS[measure][locale]}
    </caption>
    <thead>
      <tr>
        <th scope="col">${t('category')}</th>
        ${stats.months.map((m) => html`<th scope="col">${monthName(m, locale)}</th>`)}
        <th scope="col">${t('thisQuarter')}</th>
        <th scope="col">${t('lastQuarter')}</th>
        <th scope="col">${t('change')}</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) =>
          html`<tr data-category="${row.category}" ${row.category === 'total' ? html` class="total"` : ''}>
            <th scope="row">${row.category === 'total' ? t('total') : CATEGORY_LABELS[row.category][locale]}</th>
            ${row.byMonth.map((c) => html`<td>${c[measure]}</td>`)}
            <td data-column="current" data-testid="${measure}-${row.category}-current">${row.current[measure]}</td>
            <td data-column="previous">${row.previous[measure]}</td>
            <td data-column="change">${change(row.current[measure], row.previous[measure])}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function phishingSection(current: PhishingStatistics, previous: PhishingStatistics, locale: Locale): SafeHtml {
  const t = STATISTICS_PAGE_STRINGS.in(locale);
  const origins = [
    ['domestic', t('domestic')],
    ['foreign', t('foreign')],
    ['unknown', t('unknownOrigin')],
  ] as const;
  return html`<section>
    <h2>${t('phishing')}</h2>
    <table class="stats" data-breakdown="origin">
      <caption>
        ${t('brandOrigin')}
      </caption>
      <thead>
        <tr>
          <th scope="col">${t('brandOrigin')}</th>
          <th scope="col">${t('thisQuarter')}</th>
          <th scope="col">${t('lastQuarter')}</th>
          <th scope="col">${t('change')}</th>
        </tr>
      </thead>
      <tbody>
        ${origins.map(
          ([key, label]) =>
            html`<tr data-origin="${key}">
              <th scope="row">${label}</th>
              <td>${current.byOrigin[key]}</td>
              <td>${previous.byOrigin[key]}</td>
              <td>${change(current.byOrigin[key], previous.byOrigin[key])}</td>
            </tr>`,
        )}
        <tr class="total">
          <th scope="row">${t('total')}</th>
          <td>${current.total}</td>
          <td>${previous.total}</td>
          <td>${change(current.total, previous.total)}</td>
        </tr>
      </tbody>
    </table>
    <table class="stats" data-breakdown="takedown">
      <caption>
        ${t('takedown')}
      </caption>
      <thead>
        <tr>
          ${TAKEDOWN_BUCKETS.map((b) => html`<th scope="col">${TAKEDOWN_LABELS[b][locale]}</th>`)}
        </tr>
      </thead>
      <tbody>
        <tr>
          ${current.takedown.map((bucket) => html`<td data-bucket="${bucket.bucket}">${bucket.count}</td>`)}
        </tr>
      </tbody>
    </table>
  </section>`;
}

/**
 * The public statistics page at /statistics: a fiscal quarter beside the previous one per category (the
 * layout of JPCERT/CC's quarterly report), phishing by brand origin and takedown time, and a static SVG
 * chart of the last 12 months. Counts only, TLP:RED left out; no titles, URLs or reporters ever reach it.
 */
export const statisticsPortalRoutes: FastifyPluginAsync<{ statistics: StatisticsService; site: PublicSite }> = async (app, { statistics, site }) => {
  app.get('/statistics', { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const locale = site.locale(request);
    const t = STATISTICS_PAGE_STRINGS.in(locale);
    const start = statistics.fiscalYearStartMonth;
    const currentMonth = statistics.currentMonth();
    const current = quarterOf(currentMonth, start);
    // ?fy=2026&q=1; anything else (or a quarter not begun yet) shows the current quarter with a note.
    const fy = typeof query.fy === 'string' && /^\d{4}$/.test(query.fy) ? Number(query.fy) : null;
    const q = typeof query.q === 'string' && /^[1-4]$/.test(query.q) ? Number(query.q) : null;
    const asked = query.fy !== undefined || query.q !== undefined;
    let period = fy !== null && q !== null && fy >= 2000 ? quarterPeriod(fy, q, start) : current;
    const refused = asked && (period === current || period.from > current.from);
    if (period.from > current.from) period = current;

    const [comparison, phishingNow, phishingBefore, monthly] = await Promise.all([
      statistics.publicCompare(period),
      statistics.publicPhishing(period),
      statistics.publicPhishing(previousPeriod(period, start)),
      statistics.publicMonthly(period.to - 11, period.to),
    ]);
    const link = (p: Period) => `/statistics?fy=${p.fiscalYear}&q=${p.quarter}&lang=${locale}`;
    const before = previousPeriod(period, start);
    const after = nextPeriod(period, start);
    const inProgress = period.from === current.from;
    const asOf = new Intl.DateTimeFormat('en-CA', { timeZone: statistics.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const bars = monthly.map((m) => ({
      label: monthName(m.month, locale),
      values: Object.fromEntries(INCIDENT_CATEGORIES.map((c) => [c, m.categories[c].incidents])) as Record<IncidentCategory, number>,
    }));

    const body = html` <section>
        <h1>${t('title')}</h1>
        <p class="period"><strong>${periodName(period, locale)}</strong>${inProgress ? html` · ${t('toDate')} ${asOf} (${statistics.timeZone})` : ''}</p>
        ${refused ? html`<p class="note">${t('badQuarter')}</p>` : ''}
        <p>${t('intro')}</p>
        <p class="pager">
          <a href="${link(before)}" rel="prev">← ${t('previousQuarter')}</a
          >${after.from <= current.from ? html` <a href="${link(after)}" rel="next">${t('nextQuarter')} →</a>` : ''}
        </p>
        <table class="stats" data-table="summary">
          <caption>
            ${t('summary')}
          </caption>
          <thead>
            <tr>
              <th scope="col">${t('measure')}</th>
              <th scope="col">${t('thisQuarter')}</th>
              <th scope="col">${t('lastQuarter')}</th>
              <th scope="col">${t('change')}</th>
            </tr>
          </thead>
          <tbody>
            ${STATISTICS_MEASURES.map(
              (m) =>
                html`<tr data-measure="${m}">
                  <th scope="row">${MEASURE_LABELS[m][locale]}</th>
                  <td data-column="current">${comparison.total.current[m]}</td>
                  <td data-column="previous">${comparison.total.previous[m]}</td>
                  <td data-column="change">${change(comparison.total.current[m], comparison.total.previous[m])}</td>
                </tr>`,
            )}
          </tbody>
        </table>
        <table class="stats" data-table="by-category">
          <caption>
            ${t('byCategory')}
          </caption>
          <thead>
            <tr>
              <th scope="col">${t('category')}</th>
              ${STATISTICS_MEASURES.map((m) => html`<th scope="col">${MEASURE_LABELS[m][locale]}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${comparison.categories.map(
              (c) =>
                html`<tr
                  data-testid="statistics-${c.category}"
                  data-reports="${c.current.reports}"
                  data-incidents="${c.current.incidents}"
                  data-coordinations="${c.current.coordinations}"
                >
                  <th scope="row">${CATEGORY_LABELS[c.category][locale]}</th>
                  ${STATISTICS_MEASURES.map((m) => html`<td>${c.current[m]}</td>`)}
                </tr>`,
            )}
          </tbody>
        </table>
      </section>
      <section>${STATISTICS_MEASURES.map((m) => measureTable(comparison, m, locale))}</section>
      ${phishingSection(phishingNow, phishingBefore, locale)}
      <section>
        <h2>${t('chartTitle')}</h2>
        <figure>${stackedBarSvg(bars, locale, t('chartTitle'))}</figure>
        <table class="stats" data-table="monthly">
          <thead>
            <tr>
              <th scope="col">${t('month')}</th>
              ${INCIDENT_CATEGORIES.map((c) => html`<th scope="col">${CATEGORY_LABELS[c][locale]}</th>`)}
              <th scope="col">${t('total')}</th>
            </tr>
          </thead>
          <tbody>
            ${monthly.map(
              (m) =>
                html`<tr>
                  <th scope="row">${monthName(m.month, locale)}</th>
                  ${INCIDENT_CATEGORIES.map((c) => html`<td>${m.categories[c].incidents}</td>`)}
                  <td>${INCIDENT_CATEGORIES.reduce((sum, c) => sum + m.categories[c].incidents, 0)}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>
      <section>
        <h2>${t('definitions')}</h2>
        <ul>
          <li>${t('defReports')}</li>
          <li>${t('defIncidents')}</li>
          <li>${t('defCoordinations')}</li>
          <li>${t('defZone')} ${statistics.timeZone}. ${t('defFiscal')} ${start}.</li>
        </ul>
      </section>`;
    return site.render(request, reply, () => ({ title: t('title'), path: `/statistics?fy=${period.fiscalYear}&q=${period.quarter}`, body }), {
      cache: { maxAgeSeconds: 300 },
    });
  });
};
