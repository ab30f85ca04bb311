import { csvCell } from '../kernel/csv.ts';
import type { MailLanguage, MailTemplate } from '../mail/index.ts';

/** One event as a notification carries it. Every text field is untrusted feed input. */
export interface NotifiedEvent {
  observedAt: Date;
  ip: string;
  port: number | null;
  protocol: string | null;
  hostname: string | null;
  tag: string | null;
  asn: number | null;
  country: string | null;
  reportType: string;
  taxonomy: string;
  type: string;
  extra: Record<string, string> | null;
}

const shadowserverTime = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

/** The columns Shadowserver reports start with, then the classification, then the rows' other columns. */
export const CSV_COLUMNS = ['timestamp', 'ip', 'protocol', 'port', 'hostname', 'tag', 'asn', 'geo', 'report_type', 'taxonomy', 'classification'] as const;

/**
 * A recipient's events as Shadowserver-compatible CSV (CRLF line ends, UTC timestamps).
 * @example renderCsv([event]).split('\r\n')[0] // 'timestamp,ip,protocol,port,hostname,tag,asn,geo,report_type,taxonomy,classification'
 */
export function renderCsv(events: readonly NotifiedEvent[]): string {
  const extraKeys = [...new Set(events.flatMap((e) => (e.extra ? Object.keys(e.extra) : [])))]
    .filter((k) => !(CSV_COLUMNS as readonly string[]).includes(k))
    .sort();
  const lines = [[...CSV_COLUMNS, ...extraKeys].map(csvCell).join(',')];
  for (const e of events) {
    const cells = [
      shadowserverTime(e.observedAt),
      e.ip,
      e.protocol,
      e.port,
      e.hostname,
      e.tag,
      e.asn,
      e.country,
      e.reportType,
      e.taxonomy,
      e.type,
      ...extraKeys.map((k) => e.extra?.[k] ?? null),
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

const XARF_CATEGORY: Record<string, string> = { fraud: 'fraud', vulnerable: 'info', 'information-gathering': 'abuse', other: 'info' };

/**
 * X-ARF 0.2 reports, one YAML document per event (`---` between them). Values are written as JSON
 * strings, which YAML reads as double-quoted scalars, so no feed text can break out of its field.
 * `Attachment: "text/plain"` names the evidence part the notification mail carries (the events as CSV).
 */
export function renderXarf(events: readonly NotifiedEvent[], reportedFrom: string): string {
  const q = (v: string) => JSON.stringify(v);
  const docs = events.map((e) => {
    const lines = [
      '---',
      `Reported-From: ${q(reportedFrom)}`,
      `Category: ${q(XARF_CATEGORY[e.taxonomy] ?? 'abuse')}`,
      `Report-Type: ${q(e.reportType)}`,
      `Service: ${q(e.protocol ?? 'unknown')}`,
      'Version: "0.2"',
      'User-Agent: "Renkei"',
      `Date: ${q(e.observedAt.toISOString())}`,
      `Source: ${q(e.ip)}`,
      `Source-Type: ${q(e.ip.includes(':') ? 'ipv6' : 'ipv4')}`,
      ...(e.port !== null ? [`Port: ${e.port}`] : []),
      `Classification: ${q(`rsit:${e.taxonomy}="${e.type}"`)}`,
      ...(e.hostname ? [`Hostname: ${q(e.hostname)}`] : []),
      ...(e.tag ? [`Tag: ${q(e.tag)}`] : []),
      ...(e.asn !== null ? [`ASN: ${e.asn}`] : []),
      'Attachment: "text/plain"',
    ];
    return lines.join('\n');
  });
  return `${docs.join('\n')}\n`;
}

/** One file of a notification mail. */
export interface NotificationFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

/**
 * The files a notification mails, and the one it stores (the download). CSV: the CSV alone. X-ARF
 * (0.2's layout after the human text part): `report.txt` with the YAML, then the evidence (the same
 * events as CSV, `text/plain`), and the top-level field `X-XARF: PLAIN`.
 */
export function notificationFiles(
  format: 'csv' | 'xarf',
  key: string,
  events: readonly NotifiedEvent[],
  reportedFrom: string,
): { stored: Buffer; files: NotificationFile[]; headers: Record<string, string> } {
  const csv = Buffer.from(renderCsv(events), 'utf8');
  if (format === 'csv') return { stored: csv, files: [{ filename: `${key}.csv`, contentType: 'text/csv; charset=utf-8', content: csv }], headers: {} };
  const report = Buffer.from(renderXarf(events, reportedFrom), 'utf8');
  return {
    stored: report,
    files: [
      { filename: 'report.txt', contentType: 'text/plain; charset=utf-8', content: report },
      { filename: `${key}-evidence.csv`, contentType: 'text/plain; charset=utf-8', content: csv },
    ],
    headers: { 'X-XARF': 'PLAIN' },
  };
}

/**
 * The human summary for the body: events per report type with their RSIT class, and the time span
 * (UTC). No addresses: those are only in the attached files.
 */
export function notificationSummary(language: MailLanguage, events: readonly NotifiedEvent[]): string {
  const byType = new Map<string, { count: number; rsit: string }>();
  for (const e of events) {
    const entry = byType.get(e.reportType) ?? { count: 0, rsit: `${e.taxonomy}/${e.type}` };
    entry.count++;
    byType.set(e.reportType, entry);
  }
  const lines = [...byType].sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0])).slice(0, 30);
  const times = events.map((e) => e.observedAt.getTime());
  const span = times.length > 0 ? `${shadowserverTime(new Date(Math.min(...times)))} – ${shadowserverTime(new Date(Math.max(...times)))} UTC` : '';
  const rows = lines.map(([type, { count, rsit }]) => (language === 'ja' ? `- ${type}: ${count} 件（${rsit}）` : `- ${type}: ${count} (${rsit})`));
  if (byType.size > lines.length) rows.push(language === 'ja' ? `- ほか ${byType.size - lines.length} 種類` : `- and ${byType.size - lines.length} more types`);
  return [language === 'ja' ? `観測期間: ${span}` : `Observed: ${span}`, ...rows].join('\n');
}

/** The notification mail: the human summary in the body, the report (CSV or X-ARF) as attachments. */
export const FEED_NOTIFICATION_TEMPLATE: MailTemplate = {
  name: 'feed-notification',
  description: 'Tells an organisation about feed events on its networks; the events are attached in its format',
  variables: ['name', 'reference', 'count', 'withheld', 'format', 'filename', 'summary'],
  subject: { en: 'Security events on your network ({{reference}})', ja: '貴組織のネットワークに関するセキュリティイベントのご連絡（{{reference}}）' },
  text: {
    en: 'Dear {{name}},\n\nWe have received {{count}} reports of security events involving addresses on your network ({{reference}}). They are attached in {{format}} format ({{filename}}).\n\n{{summary}}\n{{withheld}}\nPlease investigate and take appropriate action. You may reply to this message, keeping the reference in the subject.\n\n{{team}}',
    ja: '{{name}} 御中\n\n貴組織のネットワーク上のアドレスに関するセキュリティイベントの報告を {{count}} 件受け取りました（{{reference}}）。{{format}} 形式の添付ファイル（{{filename}}）をご確認ください。\n\n{{summary}}\n{{withheld}}\nご確認のうえ、適切な対応をお願いいたします。ご返信の際は件名の参照番号をそのままお残しください。\n\n{{team}}',
  },
};

export function withheldNote(language: MailLanguage, count: number): string {
  if (count === 0) return '';
  return language === 'ja'
    ? `（このほか ${count} 件は情報の取扱区分（TLP）の制限により記載していません。）\n`
    : `(${count} further events are not listed because their TLP is above what may be shared with you.)\n`;
}
