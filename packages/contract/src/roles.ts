/**
 * Roles a membership can carry. Staff roles are held in the instance's own organisation; the others
 * in the outside organisation the person belongs to (a vendor, an ISP, a subscriber).
 */
export const STAFF_ROLES = ['admin', 'coordinator', 'analyst', 'publisher'] as const;
export const OUTSIDE_ROLES = ['vendor_user', 'reporter', 'partner', 'subscriber'] as const;
export const ROLES = [...STAFF_ROLES, ...OUTSIDE_ROLES] as const;

export type StaffRole = (typeof STAFF_ROLES)[number];
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isStaffRole(value: string): value is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(value);
}

export const LOCALES = ['en', 'ja'] as const;
export type Locale = (typeof LOCALES)[number];
