// The fixed vocabularies of a vulnerability case. The lead copies the same keys into packages/contract:
// change a key in both places or in neither. The labels live in the contract only (the staff app reads them too).
import { type JaEnLabel, VENDOR_STATUS_LABELS, VEX_JUSTIFICATION_LABELS } from '@renkei/contract';

export type Label = JaEnLabel;
export { VENDOR_STATUS_LABELS, VEX_JUSTIFICATION_LABELS };

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
