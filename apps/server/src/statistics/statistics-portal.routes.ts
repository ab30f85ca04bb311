import type { FastifyPluginAsync } from 'fastify';
import type { Kysely } from 'kysely';
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
import { selfOrganisation } from '../accounts/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { LANG_COOKIE, pickLocale } from '../i18n/locale.ts';
import { type SafeHtml, html, renderPage } from '../portal/index.ts';
import { type Period, formatMonth, nextPeriod, previousPeriod, quarterOf, quarterPeriod } from './periods.ts';
import { stackedBarSvg } from './statistics-chart.ts';
import type { StatisticsService } from './statistics.service.ts';

// The public site's policy: no script at all, styles from our stylesheet only (the SVG chart uses presentation attributes).
const STATISTICS_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const T = {
  title: { en: 'Incident statistics', ja: 'インシデント統計' },
  intro: {
    en: 'How many reports we received, how many incidents they were about, and how many times we asked a party (a hosting provider, a site owner, another CSIRT) to act, by category. Counts only; figures of the current quarter grow until it ends.',
    ja: '受け付けた報告の件数、それらが示すインシデントの件数、対応を依頼した調整(ホスティング事業者、サイト管理者、他の CSIRT など)の件数をカテゴリ別に示します。件数のみを掲載しています。当四半期の件数は期末まで増えていきます。',
  },
  toDate: { en: 'to date, as of', ja: '集計途中、時点:' },
  previousQuarter: { en: 'Previous quarter', ja: '前四半期' },
  nextQuarter: { en: 'Next quarter', ja: '次四半期' },
  summary: { en: 'Summary', ja: '概要' },
  byCategory: { en: 'This quarter by category', ja: '今四半期のカテゴリ別件数' },
  category: { en: 'Category', ja: 'カテゴリ' },
  measure: { en: 'Count', ja: '項目' },
  thisQuarter: { en: 'This quarter', ja: '今四半期' },
  lastQuarter: { en: 'Previous quarter', ja: '前四半期' },
  change: { en: 'Change', ja: '前四半期比' },
  total: { en: 'Total', ja: '合計' },
  phishing: { en: 'Phishing sites', ja: 'フィッシングサイト' },
  brandOrigin: { en: 'Imitated brand', ja: '装われたブランド' },
  domestic: { en: 'Domestic brand', ja: '国内ブランド' },
  foreign: { en: 'Foreign brand', ja: '国外ブランド' },
  unknownOrigin: { en: 'Not determined', ja: '不明' },
  takedown: {
    en: 'Time from first report to the site going down (phishing incidents of this quarter)',
    ja: '最初の報告からサイト停止までの時間(今四半期のフィッシングインシデント)',
  },
  incidents: { en: 'Incidents', ja: '件数' },
  chartTitle: { en: 'Incidents per month by category (last 12 months)', ja: 'カテゴリ別インシデント件数の推移(直近12か月)' },
  month: { en: 'Month', ja: '月' },
  definitions: { en: 'What is counted', ja: '集計の定義' },
  defReports: {
    en: 'Reports received: every report received in the period (web form, e-mail, API), except ones set aside as spam or noise, in the category of the incident it belongs to (else as reported).',
    ja: '報告件数: 期間内に受け付けた報告(Web フォーム、電子メール、API)の件数。スパム等として対応不要とされたものを除き、報告が属するインシデントのカテゴリ(未対応の場合は報告時のカテゴリ)で数えます。',
  },
  defIncidents: {
    en: 'Incidents: incidents opened in the period; several reports about the same thing are one incident, and incidents merged into another count once.',
    ja: 'インシデント件数: 期間内に作成したインシデントの件数。同じ事象に関する複数の報告は 1 件とし、統合されたインシデントは統合先の 1 件として数えます。',
  },
  defCoordinations: {
    en: 'Coordinations: the number of parties we first asked to act in the period (drafts never sent are not counted).',
    ja: '調整件数: 期間内に初めて対応を依頼した相手先の件数(送信していない下書きは数えません)。',
  },
  defZone: { en: 'Months are counted in the time zone', ja: '月の区切りは次のタイムゾーンによります:' },
  defFiscal: { en: 'Quarters follow the fiscal year starting in month', ja: '四半期は次の月に始まる年度によります: ' },
  badQuarter: { en: 'That quarter cannot be shown; here is the current one.', ja: '指定された四半期は表示できないため、当四半期を表示しています。' },
} satisfies Record<string, { en: string; ja: string }>;

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
  const rows = [...stats.categories, { category: 'total' as const, ...stats.total }];
  return html`<table class="stats" data-measure="${measure}">
<caption>${MEASURE_LABELS[measure][locale]}</caption>
<thead><tr><th scope="col">${T.category[locale]}</th>${stats.months.map((m) => html`<th scope="col">${monthName(m, locale)}</th>`)}<th scope="col">${T.thisQuarter[locale]}</th><th scope="col">${T.lastQuarter[locale]}</th><th scope="col">${T.change[locale]}</th></tr></thead>
<tbody>${rows.map(
    (row) =>
      html`<tr data-category="${row.category}"${row.category === 'total' ? html` class="total"` : ''}><th scope="row">${row.category === 'total' ? T.total[locale] : CATEGORY_LABELS[row.category][locale]}</th>${row.byMonth.map((c) => html`<td>${c[measure]}</td>`)}<td data-column="current" data-testid="${measure}-${row.category}-current">${row.current[measure]}</td><td data-column="previous">${row.previous[measure]}</td><td data-column="change">${change(row.current[measure], row.previous[measure])}</td></tr>`,
  )}</tbody>
</table>`;
}

function phishingSection(current: PhishingStatistics, previous: PhishingStatistics, locale: Locale): SafeHtml {
  const origins = [
    ['domestic', T.domestic],
    ['foreign', T.foreign],
    ['unknown', T.unknownOrigin],
  ] as const;
  return html`<section>
<h2>${T.phishing[locale]}</h2>
<table class="stats" data-breakdown="origin">
<caption>${T.brandOrigin[locale]}</caption>
<thead><tr><th scope="col">${T.brandOrigin[locale]}</th><th scope="col">${T.thisQuarter[locale]}</th><th scope="col">${T.lastQuarter[locale]}</th><th scope="col">${T.change[locale]}</th></tr></thead>
<tbody>${origins.map(([key, label]) => html`<tr data-origin="${key}"><th scope="row">${label[locale]}</th><td>${current.byOrigin[key]}</td><td>${previous.byOrigin[key]}</td><td>${change(current.byOrigin[key], previous.byOrigin[key])}</td></tr>`)}
<tr class="total"><th scope="row">${T.total[locale]}</th><td>${current.total}</td><td>${previous.total}</td><td>${change(current.total, previous.total)}</td></tr></tbody>
</table>
<table class="stats" data-breakdown="takedown">
<caption>${T.takedown[locale]}</caption>
<thead><tr>${TAKEDOWN_BUCKETS.map((b) => html`<th scope="col">${TAKEDOWN_LABELS[b][locale]}</th>`)}</tr></thead>
<tbody><tr>${current.takedown.map((t) => html`<td data-bucket="${t.bucket}">${t.count}</td>`)}</tr></tbody>
</table>
</section>`;
}

/**
 * The public statistics page at /statistics: a fiscal quarter beside the previous one per category (the
 * layout of JPCERT/CC's quarterly report), phishing by brand origin and takedown time, and a static SVG
 * chart of the last 12 months. Counts only, TLP:RED left out; no titles, URLs or reporters ever reach it.
 */
export const statisticsPortalRoutes: FastifyPluginAsync<{ statistics: StatisticsService; db: Kysely<Schema>; secureCookies: boolean }> = async (
  app,
  { statistics, db, secureCookies },
) => {
  app.get('/statistics', { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const locale = pickLocale({ query: query.lang, cookie: request.cookies[LANG_COOKIE], acceptLanguage: request.headers['accept-language'] });
    if (query.lang === 'ja' || query.lang === 'en')
      void reply.setCookie(LANG_COOKIE, locale, { path: '/', sameSite: 'lax', httpOnly: true, secure: secureCookies, maxAge: 365 * 86400 });
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

    const [comparison, phishingNow, phishingBefore, monthly, team] = await Promise.all([
      statistics.publicCompare(period),
      statistics.publicPhishing(period),
      statistics.publicPhishing(previousPeriod(period, start)),
      statistics.publicMonthly(period.to - 11, period.to),
      selfOrganisation(db),
    ]);
    const teamName = (locale === 'ja' ? team?.name_ja : null) ?? team?.name ?? 'Renkei';
    const link = (p: Period) => `/statistics?fy=${p.fiscalYear}&q=${p.quarter}&lang=${locale}`;
    const before = previousPeriod(period, start);
    const after = nextPeriod(period, start);
    const inProgress = period.from === current.from;
    const asOf = new Intl.DateTimeFormat('en-CA', { timeZone: statistics.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const bars = monthly.map((m) => ({
      label: monthName(m.month, locale),
      values: Object.fromEntries(INCIDENT_CATEGORIES.map((c) => [c, m.categories[c].incidents])) as Record<IncidentCategory, number>,
    }));

    const body = html`
<section>
  <h1>${T.title[locale]}</h1>
  <p class="period"><strong>${periodName(period, locale)}</strong>${inProgress ? html` · ${T.toDate[locale]} ${asOf} (${statistics.timeZone})` : ''}</p>
  ${refused ? html`<p class="note">${T.badQuarter[locale]}</p>` : ''}
  <p>${T.intro[locale]}</p>
  <p class="pager"><a href="${link(before)}" rel="prev">← ${T.previousQuarter[locale]}</a>${after.from <= current.from ? html` <a href="${link(after)}" rel="next">${T.nextQuarter[locale]} →</a>` : ''}</p>
  <table class="stats" data-table="summary">
  <caption>${T.summary[locale]}</caption>
  <thead><tr><th scope="col">${T.measure[locale]}</th><th scope="col">${T.thisQuarter[locale]}</th><th scope="col">${T.lastQuarter[locale]}</th><th scope="col">${T.change[locale]}</th></tr></thead>
  <tbody>${STATISTICS_MEASURES.map((m) => html`<tr data-measure="${m}"><th scope="row">${MEASURE_LABELS[m][locale]}</th><td data-column="current">${comparison.total.current[m]}</td><td data-column="previous">${comparison.total.previous[m]}</td><td data-column="change">${change(comparison.total.current[m], comparison.total.previous[m])}</td></tr>`)}</tbody>
  </table>
  <table class="stats" data-table="by-category">
  <caption>${T.byCategory[locale]}</caption>
  <thead><tr><th scope="col">${T.category[locale]}</th>${STATISTICS_MEASURES.map((m) => html`<th scope="col">${MEASURE_LABELS[m][locale]}</th>`)}</tr></thead>
  <tbody>${comparison.categories.map(
    (c) =>
      html`<tr data-testid="statistics-${c.category}" data-reports="${c.current.reports}" data-incidents="${c.current.incidents}" data-coordinations="${c.current.coordinations}"><th scope="row">${CATEGORY_LABELS[c.category][locale]}</th>${STATISTICS_MEASURES.map((m) => html`<td>${c.current[m]}</td>`)}</tr>`,
  )}</tbody>
  </table>
</section>
<section>
  ${STATISTICS_MEASURES.map((m) => measureTable(comparison, m, locale))}
</section>
${phishingSection(phishingNow, phishingBefore, locale)}
<section>
  <h2>${T.chartTitle[locale]}</h2>
  <figure>${stackedBarSvg(bars, locale, T.chartTitle[locale])}</figure>
  <table class="stats" data-table="monthly">
  <thead><tr><th scope="col">${T.month[locale]}</th>${INCIDENT_CATEGORIES.map((c) => html`<th scope="col">${CATEGORY_LABELS[c][locale]}</th>`)}<th scope="col">${T.total[locale]}</th></tr></thead>
  <tbody>${monthly.map((m) => html`<tr><th scope="row">${monthName(m.month, locale)}</th>${INCIDENT_CATEGORIES.map((c) => html`<td>${m.categories[c].incidents}</td>`)}<td>${INCIDENT_CATEGORIES.reduce((sum, c) => sum + m.categories[c].incidents, 0)}</td></tr>`)}</tbody>
  </table>
</section>
<section>
  <h2>${T.definitions[locale]}</h2>
  <ul>
    <li>${T.defReports[locale]}</li>
    <li>${T.defIncidents[locale]}</li>
    <li>${T.defCoordinations[locale]}</li>
    <li>${T.defZone[locale]} ${statistics.timeZone}. ${T.defFiscal[locale]} ${start}.</li>
  </ul>
</section>`;
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', STATISTICS_CSP)
      .header('content-language', locale)
      .header('vary', 'Accept-Language, Cookie')
      .header('cache-control', 'public, max-age=300')
      .send(renderPage({ locale, title: T.title[locale], teamName, path: `/statistics?fy=${period.fiscalYear}&q=${period.quarter}`, body }));
  });
};
