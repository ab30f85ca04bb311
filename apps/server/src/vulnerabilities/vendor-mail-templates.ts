import type { VendorMailTemplate } from '@renkei/contract';

/**
 * The texts of the team's mail to a case's vendors, in Japanese and English. `body` carries the case's
 * details and goes out only encrypted; `notice` is what goes out in clear when the vendor has no key:
 * nothing of the case beyond its reference and where to log in. Subjects are never encrypted (PGP/MIME
 * leaves the header in clear), so they name no detail either.
 */
export interface VendorMailFacts {
  reference: string;
  title: string;
  vulnerabilities: readonly { title: string; cweId: string | null; cveId: string | null }[];
  /** The case page, where the vendor logs in. */
  link: string;
  /** The embargo in force or proposed (the latest), and its state; null = none yet. */
  embargo: { at: Date; state: string } | null;
  /** The target publication date (起算日 + the configured days); null = no vendor contacted yet. */
  targetAt: Date | null;
  publicId: string | null;
}

export interface RenderedVendorMail {
  subject: string;
  body: string;
  notice: string;
}

type Language = 'ja' | 'en';

/** `2027-01-15 10:00 JST (01:00 UTC)`: an instant with its zone named, in Tokyo time and UTC. */
export function instantText(at: Date, language: Language): string {
  const part = (zone: string) =>
    new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false })
      .format(at)
      .replace(',', '');
  const utc = part('UTC');
  return language === 'ja' ? `${part('Asia/Tokyo')}（日本時間） / ${utc} UTC` : `${utc} UTC (${part('Asia/Tokyo')} JST)`;
}

function vulnerabilityLines(facts: VendorMailFacts, language: Language): string {
  if (facts.vulnerabilities.length === 0)
    return language === 'ja' ? '（脆弱性の詳細はログイン後にご確認ください）' : '(Please log in for the details of the vulnerabilities.)';
  return facts.vulnerabilities.map((v, i) => `${i + 1}. ${v.title}${v.cweId ? ` (${v.cweId})` : ''}${v.cveId ? ` ${v.cveId}` : ''}`).join('\n');
}

function embargoLine(facts: VendorMailFacts, language: Language): string {
  if (facts.embargo) {
    const when = instantText(facts.embargo.at, language);
    if (language === 'ja') return facts.embargo.state === 'agreed' ? `合意済みの公表日時: ${when}` : `提案中の公表日時: ${when}`;
    return facts.embargo.state === 'agreed' ? `Agreed publication: ${when}` : `Proposed publication: ${when}`;
  }
  if (facts.targetAt) {
    const when = instantText(facts.targetAt, language);
    return language === 'ja' ? `公表目標日: ${when}` : `Target publication date: ${when}`;
  }
  return language === 'ja' ? '公表日時は未定です。' : 'No publication date has been set yet.';
}

const JA: Record<VendorMailTemplate, (f: VendorMailFacts) => { subject: string; lead: string; ask: string }> = {
  initial: () => ({
    subject: '脆弱性情報のご連絡',
    lead: '貴組織の製品に関する脆弱性情報を受け付け、製品開発者との調整を開始しました。',
    ask: '次のリンクからログインし、本件をご確認のうえ、各脆弱性について製品への影響の有無をお知らせください。',
  }),
  reminder: () => ({
    subject: 'ご回答のお願い',
    lead: '先にご連絡した脆弱性情報について、まだご回答をいただいておりません。',
    ask: 'ログインして、製品への影響の有無をお知らせください。',
  }),
  embargo_proposal: () => ({
    subject: '公表日のご相談',
    lead: '本件の公表日時について、次のとおりご提案いたします。',
    ask: 'ログインして、公表日時への同意または代案をお知らせください。',
  }),
  publication: (f) => ({
    subject: '公表のお知らせ',
    lead: f.publicId ? `本件は ${f.publicId} として公表します。` : '本件の公表についてお知らせいたします。',
    ask: '公表内容はログインしてご確認いただけます。',
  }),
};

const EN: Record<VendorMailTemplate, (f: VendorMailFacts) => { subject: string; lead: string; ask: string }> = {
  initial: () => ({
    subject: 'Vulnerability information for your products',
    lead: 'We have received vulnerability information about products of your organisation and have started coordinating with the developers.',
    ask: 'Please log in through the link below, review the case, and tell us for each vulnerability whether your products are affected.',
  }),
  reminder: () => ({
    subject: 'Awaiting your answer',
    lead: 'We have not yet had your answer on the vulnerability information we sent you.',
    ask: 'Please log in and tell us whether your products are affected.',
  }),
  embargo_proposal: () => ({
    subject: 'Proposed publication date',
    lead: 'We propose the following publication date and time for this case.',
    ask: 'Please log in to accept the date or propose another.',
  }),
  publication: (f) => ({
    subject: 'Publication notice',
    lead: f.publicId ? `This case will be published as ${f.publicId}.` : 'This is to tell you about the publication of this case.',
    ask: 'You can read what is published after logging in.',
  }),
};

/**
 * The mail of a template in one language: its subject (no details), the full body (sent only
 * encrypted) and the clear notice.
 * @example renderVendorMail('initial', 'en', facts).notice // 'There is a vulnerability case (VU-2026-00001) for your organisation…'
 */
export function renderVendorMail(template: VendorMailTemplate, language: Language, facts: VendorMailFacts): RenderedVendorMail {
  const parts = (language === 'ja' ? JA : EN)[template](facts);
  const body =
    language === 'ja'
      ? [
          `案件番号: ${facts.reference}`,
          `件名: ${facts.title}`,
          '',
          parts.lead,
          '',
          '脆弱性:',
          vulnerabilityLines(facts, language),
          '',
          embargoLine(facts, language),
          '',
          parts.ask,
          facts.link,
          '',
          '本件は公表まで非公開です。関係者以外への開示はお控えください。このメールに返信いただくと、本件の記録に残ります。',
        ]
      : [
          `Case: ${facts.reference}`,
          `Title: ${facts.title}`,
          '',
          parts.lead,
          '',
          'Vulnerabilities:',
          vulnerabilityLines(facts, language),
          '',
          embargoLine(facts, language),
          '',
          parts.ask,
          facts.link,
          '',
          'This case is under embargo until publication: please do not share it beyond those who must handle it. Replies to this mail are filed with the case.',
        ];
  const notice =
    language === 'ja'
      ? [
          `脆弱性調整案件 ${facts.reference} について、貴組織へのご連絡があります。`,
          '暗号化できないため、内容はこのメールには記載しておりません。次のリンクからログインしてご確認ください。',
          facts.link,
          '',
          'PGP 公開鍵をお知らせいただければ、以後は暗号化したメールで詳細をお送りします。',
        ]
      : [
          `There is news for your organisation on the vulnerability case ${facts.reference}.`,
          'As this mail cannot be encrypted, it does not carry the details. Please log in through this link to read them:',
          facts.link,
          '',
          'If you send us your PGP public key, we will send the details encrypted from then on.',
        ];
  return { subject: parts.subject, body: body.join('\n'), notice: notice.join('\n') };
}
