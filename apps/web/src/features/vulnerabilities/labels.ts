import { type JaEnLabel, VENDOR_STATUS_LABELS, VEX_JUSTIFICATION_LABELS, type VendorStatus, type VexJustification } from '@renkei/contract';

/*
 * The vendor-status and VEX words come from the contract (the one copy the server's mail and pages use
 * too); the colours are the staff app's. Each status has its own colour, and every cell also carries its
 * short word, so the matrix reads without colour too.
 */

export const pick = (label: JaEnLabel, locale: string): string => (locale === 'ja' ? label.ja : label.en);
export const statusLabel = (status: VendorStatus, locale: string) => pick(VENDOR_STATUS_LABELS[status], locale);
export const justificationLabel = (justification: VexJustification, locale: string) => pick(VEX_JUSTIFICATION_LABELS[justification], locale);

/** Background and text colour of a matrix cell (contrast ≥ 4.5:1 for the short word on it). */
export const STATUS_COLOURS: Readonly<Record<VendorStatus, { background: string; text: string }>> = {
  not_notified: { background: '#e9ecef', text: '#343a40' },
  notified_no_answer: { background: '#ffe066', text: '#3d2f00' },
  unknown: { background: '#d0bfff', text: '#2b1a66' },
  vulnerable: { background: '#c92a2a', text: '#ffffff' },
  vulnerable_investigating: { background: '#ffa94d', text: '#3b1d00' },
  not_vulnerable: { background: '#237a36', text: '#ffffff' },
  not_vulnerable_investigating: { background: '#96f2d7', text: '#073b2c' },
  unreachable: { background: '#212529', text: '#ffffff' },
};

/** The statuses a VEX justification goes with. */
export const isNotAffected = (status: VendorStatus) => status === 'not_vulnerable' || status === 'not_vulnerable_investigating';

/** The roles that run cases (accept reports, add vendors, share, set any vendor's status). */
export const HANDLER_ROLES = ['admin', 'coordinator', 'analyst'] as const;
export const isHandler = (roles: readonly string[]) => roles.some((role) => (HANDLER_ROLES as readonly string[]).includes(role));
