import type { MailLanguage, MailTemplate } from '../mail/templates.ts';

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

// Cells a spreadsheet would run as a formula (OWASP "CSV injection"): neutralised with a leading apostrophe.
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell: formula starts neutralised, quoted when it holds a comma, quote or line break.
 * @example csvCell('=HYPERLINK("x")') // '"\'=HYPERLINK(""x"")"'
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const shadowserverTime = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

/** The columns Shadowserver reports start with, then the classification, then the rows' other columns. */
export const CSV_COLUMNS = ['timestamp', 'ip', 'protocol', 'port', 'hostname', 'tag', 'asn', 'geo', 'report_type', 'taxonomy', 'classification'] as const;

/**
 * A recipient's events as Shadowserver-compatible CSV (CRLF line ends, UTC timestamps).
 * @example renderCsv([event]).split('\r\n')[0] // 'timestamp,ip,protocol,port,hostname,tag,asn,geo,report_type,taxonomy,classification'
 */
export function renderCsv(events: readonly NotifiedEvent[]): string {
  const extraKeys = [...new Set(events.flatMap((e) => (e.extra ? Object.keys(e.extra) : [])))].filter((k) => !(CSV_COLUMNS as readonly string[]).includes(k)).sort();
  const lines = [[...CSV_COLUMNS, ...extraKeys].map(csvCell).join(',')];
  for (const e of events) {
    const cells = [shadowserverTime(e.observedAt), e.ip, e.protocol, e.port, e.hostname, e.tag, e.asn, e.country, e.reportType, e.taxonomy, e.type, ...extraKeys.map((k) => e.extra?.[k] ?? null)];
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

const XARF_CATEGORY: Record<string, string> = { fraud: 'fraud', vulnerable: 'info', 'information-gathering': 'abuse', other: 'info' };

/**
 * X-ARF 0.2 reports, one YAML document per event (`---` between them). Values are written as JSON
 * strings, which YAML reads as double-quoted scalars, so no feed text can break out of its field.
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
      'Attachment: "none"',
    ];
    return lines.join('\n');
  });
  return `${docs.join('\n')}\n`;
}

/** The notification mail; the report (CSV or X-ARF) follows the text, as intelmq-mailgen sends it. */
export const FEED_NOTIFICATION_TEMPLATE: MailTemplate = {
  name: 'feed-notification',
  description: 'Tells an organisation about feed events on its networks, with the events in its format',
  variables: ['name', 'reference', 'count', 'withheld', 'format', 'filename', 'data'],
  subject: { en: 'Security events on your network ({{reference}})', ja: '貴組織のネットワークに関するセキュリティイベントのご連絡（{{reference}}）' },
  text: {
    en: 'Dear {{name}},\n\nWe have received {{count}} reports of security events involving addresses on your network ({{reference}}). They are listed below in {{format}} format.\n{{withheld}}\nPlease investigate and take appropriate action. You may reply to this message, keeping the reference in the subject.\n\n{{team}}\n\n----- {{filename}} -----\n{{data}}',
    ja: '{{name}} 御中\n\n貴組織のネットワーク上のアドレスに関するセキュリティイベントの報告を {{count}} 件受け取りました（{{reference}}）。以下に {{format}} 形式で記載します。\n{{withheld}}\nご確認のうえ、適切な対応をお願いいたします。ご返信の際は件名の参照番号をそのままお残しください。\n\n{{team}}\n\n----- {{filename}} -----\n{{data}}',
  },
};

export function withheldNote(language: MailLanguage, count: number): string {
  if (count === 0) return '';
  return language === 'ja' ? `（このほか ${count} 件は情報の取扱区分（TLP）の制限により記載していません。）\n` : `(${count} further events are not listed because their TLP is above what may be shared with you.)\n`;
}
