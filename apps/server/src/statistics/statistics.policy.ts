import { STAFF_ROLES } from '@renkei/contract';
import { definePolicy, visibleTo } from '../policy/define-policy.ts';

/**
 * Who may read the statistics API: the team's staff. The public page at /statistics shows counts only
 * (TLP:RED left out) and needs no role; it calls the service's `public…` functions.
 */
export const statisticsPolicy = definePolicy('statistics', {
  read: visibleTo({ all: STAFF_ROLES }),
});
