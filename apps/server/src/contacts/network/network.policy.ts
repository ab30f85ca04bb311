import { STAFF_ROLES } from '@renkei/contract';
import { definePolicy, visibleTo } from '../../policy/define-policy.ts';

/** Who may ask "who can act on this?" (every staff role) and who may load IP data (admins; the CLI as system). */
export const networkPolicy = definePolicy('contacts.network', {
  /** Answers come from the whole directory: a scope narrower than `all` must filter them first (see lookup). */
  lookup: visibleTo({ all: STAFF_ROLES }),
  'datasets.list': STAFF_ROLES,
  'ipdata.import': ['admin'],
});
