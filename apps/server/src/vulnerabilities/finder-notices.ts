/**
 * What the finder is told when the team decides on their report, in their language (Japanese when they
 * chose it or said nothing and wrote to a Japanese team; English otherwise). Plain text: it goes through
 * the mail outbox, signed, and encrypted when the finder's key is in the directory.
 */
export type FinderNoticeKind = 'accepted' | 'declined';

interface NoticeValues {
  reference: string;
  reason?: string;
}

const NOTICES: Record<'ja' | 'en', Record<FinderNoticeKind, (v: NoticeValues) => { subject: string; text: string }>> = {
  ja: {
    accepted: (v) => ({
      subject: '脆弱性関連情報の受付について',
      text: [
        'ご報告いただいた脆弱性関連情報を受け付け、調整を開始しました。',
        `受付番号: ${v.reference}`,
        '',
        '製品開発者への連絡と公表日の調整を進めます。進捗はフォローアップ用のリンクからご確認いただけます。',
        '公表までの間、本件の情報を第三者に開示しないようお願いいたします。',
      ].join('\n'),
    }),
    declined: (v) => ({
      subject: '脆弱性関連情報の取り扱いについて',
      text: [
        `ご報告いただいた件（受付番号: ${v.reference}）は、次の理由により調整の対象外とさせていただきました。`,
        '',
        v.reason ?? '',
        '',
        'ご不明な点があれば、このメールにご返信ください。',
      ].join('\n'),
    }),
  },
  en: {
    accepted: (v) => ({
      subject: 'Your vulnerability report was accepted',
      text: [
        'We accepted your vulnerability report and have started coordination.',
        `Reference: ${v.reference}`,
        '',
        'We will contact the product developers and agree a publication date. You can follow progress through your follow-up link.',
        'Please keep the details confidential until publication.',
      ].join('\n'),
    }),
    declined: (v) => ({
      subject: 'About your vulnerability report',
      text: [
        `We will not coordinate your report (${v.reference}), for this reason:`,
        '',
        v.reason ?? '',
        '',
        'If you have questions, reply to this message.',
      ].join('\n'),
    }),
  },
};

/** The notice in the finder's language (Japanese when they gave none: the form's default). */
export function finderNotice(kind: FinderNoticeKind, language: string | null, values: NoticeValues): { subject: string; text: string } {
  return NOTICES[language === 'en' ? 'en' : 'ja'][kind](values);
}
