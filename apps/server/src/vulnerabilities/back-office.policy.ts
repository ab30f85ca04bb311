import { definePolicy, visibleTo } from '../policy/define-policy.ts';

const STAFF = ['admin', 'coordinator', 'analyst', 'publisher'] as const;
const HANDLERS = ['admin', 'coordinator', 'analyst'] as const;

/**
 * The coordinator's back office of cases. The product-developer registry is the team's, and each vendor
 * keeps its own organisation's products (its users read and change only those). The CVE pool, contact
 * attempts, unreachable developers and the dates dashboard are the team's alone.
 */
export const backOfficePolicy = definePolicy('vulnerabilities.back-office', {
  'products.read': visibleTo({ all: STAFF, organisation: ['vendor_user'] }),
  /** The service checks a vendor's user writes only its own organisation's products. */
  'products.write': [...HANDLERS, 'vendor_user'],
  'cvePool.read': STAFF,
  'cvePool.assign': HANDLERS,
  'contacts.read': STAFF,
  'contacts.write': HANDLERS,
  'dashboard.read': STAFF,
});
