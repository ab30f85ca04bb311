import type { TlpLabel } from '@renkei/contract';
import { BadRequestError, NotFoundError } from '../kernel/errors.ts';

export type MailLanguage = 'en' | 'ja';

export interface MailTemplate {
  name: string;
  description: string;
  /** Variables the template uses; every one must be given. */
  variables: readonly string[];
  subject: Record<MailLanguage, string>;
  text: Record<MailLanguage, string>;
}

export interface RenderedMail {
  language: MailLanguage;
  subject: string;
  text: string;
  /** The same content as HTML, every variable escaped. */
  html: string;
}

/** The built-in templates. Bodies are text; the HTML part is derived from them with variables escaped. */
export const TEMPLATES: readonly MailTemplate[] = [
  {
    name: 'report-acknowledgement',
    description: 'Thanks a reporter and gives the reference to quote in replies',
    variables: ['name', 'reference'],
    subject: { en: 'Your report has been received', ja: 'ご報告を受け付けました' },
    text: {
      en: 'Dear {{name}},\n\nThank you for your report. We have registered it as {{reference}}.\nPlease keep this reference in the subject when you reply.\n\n{{team}}',
      ja: '{{name}} 様\n\nご報告ありがとうございます。{{reference}} として受け付けました。\nご返信の際は件名の参照番号をそのままお残しください。\n\n{{team}}',
    },
  },
  {
    name: 'incident-notification',
    description: 'Asks an organisation to act on an incident on its network',
    variables: ['name', 'reference', 'summary'],
    subject: { en: 'Incident on your network', ja: '貴組織のネットワークに関するインシデントのご連絡' },
    text: {
      en: 'Dear {{name}},\n\nWe have received information about an incident that appears to involve your network ({{reference}}):\n\n{{summary}}\n\nPlease investigate and take appropriate action. We would appreciate a reply telling us what you found.\n\n{{team}}',
      ja: '{{name}} 御中\n\n貴組織のネットワークに関係すると思われるインシデントの情報を受け取りました（{{reference}}）。\n\n{{summary}}\n\nご確認のうえ、適切な対応をお願いいたします。対応結果をご返信いただけますと幸いです。\n\n{{team}}',
    },
  },
];

const PLACEHOLDER = /\{\{\s*([a-zA-Z][a-zA-Z0-9_]{0,40})\s*\}\}/g;

export function findTemplate(name: string): MailTemplate {
  const template = TEMPLATES.find((t) => t.name === name);
  if (!template) throw new NotFoundError('mail_template_not_found', `No mail template "${name.slice(0, 80)}"`);
  return template;
}

/**
 * Renders a template in the recipient's language with the TLP label in the subject and before the
 * body (TLP 2.0: "in the subject line and in the body before the labelled content").
 * @example renderTemplate(findTemplate('report-acknowledgement'), 'ja', { name: '山田', reference: 'IR-2026-000123', team: 'CSIRT' }, 'TLP:AMBER')
 */
export function renderTemplate(template: MailTemplate, language: MailLanguage, variables: Record<string, string>, tlp: TlpLabel): RenderedMail {
  const missing = [...new Set([...template.text[language].matchAll(PLACEHOLDER)].map((m) => m[1]!))].filter((name) => variables[name] === undefined);
  if (missing.length > 0) {
    throw new BadRequestError(
      'mail_template_variables_missing',
      `The template "${template.name}" needs: ${missing.join(', ')}`,
      missing.map((name) => ({ path: `/variables/${name}`, message: 'required' })),
    );
  }
  const fill = (source: string, escape: (value: string) => string) => source.replace(PLACEHOLDER, (_whole, name: string) => escape(variables[name] ?? ''));
  const subject = withTlpSubject(
    fill(template.subject[language], (v) => v.replace(/[\r\n]+/g, ' ')),
    tlp,
  );
  const body = fill(template.text[language], (v) => v);
  const htmlBody = fill(escapeHtml(template.text[language]), escapeHtml);
  return {
    language,
    subject,
    text: withTlpBody(body, tlp),
    html: `<!doctype html><html lang="${language}"><body><p><strong>${tlp}</strong></p><div style="white-space:pre-wrap">${htmlBody}</div></body></html>`,
  };
}

// A whole label: TLP:AMBER must not match inside TLP:AMBER+STRICT. WHITE is TLP 1.0's CLEAR.
const BRACKETED_LABEL = /\s*\[\s*TLP:(?:CLEAR|WHITE|GREEN|AMBER\+STRICT|AMBER|RED)\s*\]\s*/gi;

/**
 * The subject with exactly one label, ours, first: labels already in it (a reply's "Re: [TLP:GREEN] …")
 * are taken out, since two labels on one message leave the reader to guess.
 * @example withTlpSubject('Re: [TLP:GREEN] Scan', 'TLP:AMBER') // '[TLP:AMBER] Re: Scan'
 */
export function withTlpSubject(subject: string, tlp: TlpLabel): string {
  const rest = subject
    .replace(BRACKETED_LABEL, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return rest ? `[${tlp}] ${rest}` : `[${tlp}]`;
}

/**
 * The body with the label on its first line (TLP 2.0: before the labelled content), unless that line is
 * already exactly the label.
 * @example withTlpBody('Details', 'TLP:AMBER+STRICT') // 'TLP:AMBER+STRICT\n\nDetails'
 */
export function withTlpBody(text: string, tlp: TlpLabel): string {
  const firstLine = text.split(/\r?\n/, 1)[0]!.trim();
  return firstLine === tlp ? text : `${tlp}\n\n${text}`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
