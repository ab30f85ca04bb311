import { definePolicy, visibleTo } from '../policy/define-policy.ts';

/** Who may read the audit log. Nobody changes it: entries are only ever appended by the services. */
export const auditPolicy = definePolicy('audit', {
  'audit.read': visibleTo({ all: ['admin'] }),
});
