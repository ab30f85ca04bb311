import { definePolicy, visibleTo } from '../policy/define-policy.ts';

const STAFF = ['admin', 'coordinator', 'analyst', 'publisher'] as const;
const EDITORS = ['admin', 'coordinator'] as const;

/** Who may use the directory. Staff read it; coordinators and admins change it; outside roles see none of it. */
export const contactsPolicy = definePolicy('contacts', {
  /** Rows visible by organisation are the organisation's own entry, people and keys (`organisation_id`). */
  'directory.read': visibleTo({ all: STAFF }),
  'directory.write': EDITORS,
  'directory.import': EDITORS,
  'directory.export': visibleTo({ all: STAFF }),
  'keys.import': EDITORS,
  /** Generating or replacing the instance's own key changes what every partner must trust. */
  'instanceKey.manage': ['admin'],
});
