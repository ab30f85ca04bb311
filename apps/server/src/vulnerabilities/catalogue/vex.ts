// The fixed vocabularies of a vulnerability case, with their ja/en labels: all defined in packages/contract
// (the staff app reads them too); this module adds the checks the server's parsers use.
import {
  type JaEnLabel,
  VENDOR_STATUSES,
  VENDOR_STATUS_LABELS,
  VEX_JUSTIFICATIONS,
  VEX_JUSTIFICATION_LABELS,
  type VendorStatus,
  type VexJustification,
} from '@renkei/contract';

export type Label = JaEnLabel;
// VEX justifications as CSAF/OpenVEX name them; a vendor's status in a JVN case (how far notification got,
// then what the vendor answered): one list each, for server and app.
export { VENDOR_STATUSES, VENDOR_STATUS_LABELS, VEX_JUSTIFICATIONS, VEX_JUSTIFICATION_LABELS, type VendorStatus, type VexJustification };

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
