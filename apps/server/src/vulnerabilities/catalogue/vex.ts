// The fixed vocabularies of a vulnerability case. The lead copies the same keys into packages/contract:
// change a key in both places or in neither.

export interface Label {
  ja: string;
  en: string;
}

/**
 * Why a product is not affected: the CSAF 2.0 flag labels, which OpenVEX uses with the same names. CSAF
 * defines English only; the Japanese labels are this project's, for staff to correct.
 */
export const VEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'vulnerable_code_not_in_execute_path',
  'inline_mitigations_already_exist',
] as const;
export type VexJustification = (typeof VEX_JUSTIFICATIONS)[number];

export const VEX_JUSTIFICATION_LABELS: Readonly<Record<VexJustification, Label>> = {
  component_not_present: { ja: '該当コンポーネントを含まない', en: 'Component not present' },
  vulnerable_code_not_present: { ja: '脆弱なコードを含まない', en: 'Vulnerable code not present' },
  vulnerable_code_cannot_be_controlled_by_adversary: { ja: '脆弱なコードを攻撃者が制御できない', en: 'Vulnerable code cannot be controlled by adversary' },
  vulnerable_code_not_in_execute_path: { ja: '脆弱なコードが実行されない', en: 'Vulnerable code not in execute path' },
  inline_mitigations_already_exist: { ja: '緩和策が組み込まれている', en: 'Inline mitigations already exist' },
};

/** A vendor's status in a JVN case: how far notification got, then what the vendor answered. */
export const VENDOR_STATUSES = [
  'not_notified',
  'notified_no_answer',
  'unknown',
  'vulnerable',
  'vulnerable_investigating',
  'not_vulnerable',
  'not_vulnerable_investigating',
  'unreachable',
] as const;
export type VendorStatus = (typeof VENDOR_STATUSES)[number];

/** The Japanese labels are the wording JVN publishes. */
export const VENDOR_STATUS_LABELS: Readonly<Record<VendorStatus, Label>> = {
  not_notified: { ja: '未通知', en: 'Not notified' },
  notified_no_answer: { ja: '通知済み・回答なし', en: 'Notified, no answer' },
  unknown: { ja: '不明', en: 'Unknown' },
  vulnerable: { ja: '該当製品あり', en: 'Vulnerable' },
  vulnerable_investigating: { ja: '該当製品あり（調査中）', en: 'Vulnerable (investigating)' },
  not_vulnerable: { ja: '該当製品なし', en: 'Not vulnerable' },
  not_vulnerable_investigating: { ja: '該当製品なし（調査中）', en: 'Not vulnerable (investigating)' },
  unreachable: { ja: '連絡不能', en: 'Unreachable' },
};

/**
 * Whether untrusted text is one of the justification keys (exact, case-sensitive).
 * @example isVexJustification('component_not_present') // true
 */
export function isVexJustification(value: unknown): value is VexJustification {
  return typeof value === 'string' && (VEX_JUSTIFICATIONS as readonly string[]).includes(value);
}

/**
 * Whether untrusted text is one of the vendor status keys (exact, case-sensitive).
 * @example isVendorStatus('vulnerable_investigating') // true
 */
export function isVendorStatus(value: unknown): value is VendorStatus {
  return typeof value === 'string' && (VENDOR_STATUSES as readonly string[]).includes(value);
}
