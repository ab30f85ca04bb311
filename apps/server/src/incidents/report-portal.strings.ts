import type { TlpLevel } from '@renkei/contract';
import { defineStrings, type Translations } from '../portal/index.ts';
import type { ReportView } from './incidents.service.ts';

/** The public report form's and reporter status page's strings (ja/en). */
export const REPORT_PAGE_STRINGS = defineStrings({
  title: { en: 'Report an incident', ja: 'インシデントの報告' },
  intro: {
    en: 'Tell us about a phishing site, a defaced or malicious web site, scans, attacks or anything else. Fields marked * are required.',
    ja: 'フィッシングサイト、改ざんや不正なサイト、スキャン、攻撃などについてお知らせください。* は必須項目です。',
  },
  category: { en: 'What happened', ja: '事象の種類' },
  indicators: {
    en: 'URLs, domains or IP addresses (one per line; defanged forms like hxxp:// and [.] are fine)',
    ja: 'URL、ドメイン名、IPアドレス(1行に1つ。hxxp:// や [.] で無害化した形式でも構いません)',
  },
  description: { en: 'Description *', ja: '内容 *' },
  name: { en: 'Your name', ja: 'お名前' },
  email: { en: 'Your e-mail address (for our questions and answers)', ja: 'メールアドレス(確認やご連絡のため)' },
  organisation: { en: 'Organisation', ja: '組織名' },
  tlp: { en: 'How may we share it (TLP)', ja: '情報の取り扱い(TLP)' },
  submit: { en: 'Send report', ja: '報告する' },
  received: { en: 'Report received', ja: '報告を受け付けました' },
  reference: { en: 'Your reference number', ja: '受付番号' },
  keepLink: {
    en: 'Keep this link: it is the only way to follow and answer your report, and it is shown only now.',
    ja: '次のリンクを保存してください。報告の状況確認と返信にはこのリンクが必要で、表示されるのは今回限りです。',
  },
  follow: { en: 'Follow your report', ja: '報告の状況を確認する' },
  status: { en: 'Report status', ja: '報告の状況' },
  state: { en: 'Status', ja: '状況' },
  receivedAt: { en: 'Received', ja: '受付日時' },
  messages: { en: 'Messages', ja: 'メッセージ' },
  noMessages: { en: 'No messages yet.', ja: 'まだメッセージはありません。' },
  you: { en: 'You', ja: 'あなた' },
  team: { en: 'Our team', ja: '当チーム' },
  reply: { en: 'Add information or answer us', ja: '情報の追加・返信' },
  send: { en: 'Send', ja: '送信' },
  notFound: {
    en: 'No report matches this reference and link. Check that you copied the whole link.',
    ja: '受付番号とリンクに一致する報告がありません。リンク全体をコピーしたかご確認ください。',
  },
  problems: { en: 'Please correct the following', ja: '次の点をご確認ください' },
  needDescription: {
    en: 'Describe what happened (or give at least one URL, domain or IP address).',
    ja: '内容を記入するか、URL・ドメイン名・IPアドレスを1つ以上入力してください。',
  },
  badEmail: { en: 'The e-mail address does not look right.', ja: 'メールアドレスの形式が正しくありません。' },
  tooLong: { en: 'A field is too long.', ja: '入力が長すぎる項目があります。' },
  staleForm: {
    en: 'The form expired or was not sent from this page. Please send it again.',
    ja: 'フォームの有効期限が切れたか、このページから送信されていません。もう一度送信してください。',
  },
  capped: { en: 'Your report named very many indicators; we kept the first ones.', ja: '指標の数が非常に多いため、先頭の一部のみを受け付けました。' },
});

export const STATUS_LABEL: Record<ReportView['status'], Translations> = {
  new: { en: 'Received, not yet reviewed', ja: '受付済み(未確認)' },
  triaged: { en: 'Reviewed', ja: '確認済み' },
  linked: { en: 'Being handled', ja: '対応中' },
  discarded: { en: 'Closed without action', ja: '対応不要として終了' },
  closed: { en: 'Closed', ja: '終了' },
};
export const TLP_HELP: Record<TlpLevel, Translations> = {
  clear: { en: 'TLP:CLEAR: may be shared publicly', ja: 'TLP:CLEAR: 公開可' },
  green: { en: 'TLP:GREEN: within the security community', ja: 'TLP:GREEN: セキュリティコミュニティ内で共有可' },
  amber: { en: 'TLP:AMBER: only with those who need to act (default)', ja: 'TLP:AMBER: 対応に必要な組織のみ(既定)' },
  'amber+strict': { en: 'TLP:AMBER+STRICT: only within the organisations we contact', ja: 'TLP:AMBER+STRICT: 連絡先組織の内部のみ' },
  red: { en: 'TLP:RED: not to be shared', ja: 'TLP:RED: 共有不可' },
};
