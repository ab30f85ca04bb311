import { definePolicy, visibleTo } from '../policy/define-policy.ts';

const STAFF = ['admin', 'coordinator', 'analyst', 'publisher'] as const;
const HANDLERS = ['admin', 'coordinator', 'analyst'] as const;

/**
 * Who may handle incidents. Staff read reports, incidents and timelines; analysts and coordinators (and
 * admins) triage and coordinate; partners and tools file reports through their token's `reporter` or
 * `partner` role. Reporters reach their own report only through its follow-up token (no account needed),
 * checked in the service, not here.
 */
export const incidentsPolicy = definePolicy('incidents', {
  'reports.read': visibleTo({ all: STAFF }),
  'reports.create': [...HANDLERS, 'reporter', 'partner'],
  'reports.write': HANDLERS,
  'incidents.read': visibleTo({ all: STAFF }),
  'incidents.write': HANDLERS,
  /** A coordination names its party's organisation (`organisation_id`). */
  'coordinations.read': visibleTo({ all: STAFF }),
  'coordinations.write': HANDLERS,
});
