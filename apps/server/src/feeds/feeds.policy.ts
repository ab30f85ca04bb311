import { STAFF_ROLES } from '@renkei/contract';
import { definePolicy } from '../policy/define-policy.ts';

/** Feeds are staff work: every staff role reads; coordinators and admins ingest, map, schedule and notify. */
export const feedsPolicy = definePolicy('feeds', {
  'runs.read': STAFF_ROLES,
  'events.read': STAFF_ROLES,
  'notifications.read': STAFF_ROLES,
  'mappings.read': STAFF_ROLES,
  'mappings.write': ['admin', 'coordinator'],
  'sources.read': STAFF_ROLES,
  'sources.write': ['admin', 'coordinator'],
  ingest: ['admin', 'coordinator'],
  'notifications.send': ['admin', 'coordinator'],
});
