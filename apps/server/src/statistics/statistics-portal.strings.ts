import { defineStrings } from '../portal/index.ts';

/** The public statistics page's strings (ja/en). */
export const STATISTICS_PAGE_STRINGS = defineStrings({
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
});
