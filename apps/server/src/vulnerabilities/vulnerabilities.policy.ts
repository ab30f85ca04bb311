import { definePolicy, visibleTo } from '../policy/define-policy.ts';

const STAFF = ['admin', 'coordinator', 'analyst', 'publisher'] as const;
const HANDLERS = ['admin', 'coordinator', 'analyst'] as const;

/**
 * Who may coordinate vulnerabilities. Staff see every report and case; coordinators and analysts (and
 * admins) accept, decline and run cases. Outside organisations see a case only as its participants, and
 * only once it was shared with them (`case_participants.shared_at`): vendors' users, partner
 * coordinators, and finders with an account. Finders without an account follow their report by token,
 * checked in the service. A partner may forward a finder's report through the API.
 */
export const vulnerabilitiesPolicy = definePolicy('vulnerabilities', {
  'reports.read': visibleTo({ all: STAFF }),
  'reports.create': [...HANDLERS, 'partner', 'reporter'],
  'reports.decide': HANDLERS,
  'cases.read': visibleTo({ all: STAFF, participant: ['vendor_user', 'partner', 'reporter'] }),
  'cases.write': HANDLERS,
  /** Participants answer for themselves (their statuses, embargo decisions); the service checks which rows are theirs. */
  'cases.answer': [...HANDLERS, 'vendor_user', 'partner'],
  /** A publisher approves the advisory that will be published (an admin may too); handlers write it. */
  'advisories.approve': ['admin', 'publisher'],
  /** An organisation's users manage its webhook endpoints (the service keeps them to their own); admins any. */
  'webhooks.manage': ['admin', 'vendor_user', 'partner'],
});

export const STAFF_ROLES_OF_CASES = STAFF;
