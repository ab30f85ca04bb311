import { STAFF_ROLES } from '@renkei/contract';
import { definePolicy, visibleTo } from '../policy/define-policy.ts';

/** Feeds are staff work: every staff role reads; coordinators and admins ingest, map, schedule and notify. */
export const feedsPolicy = definePolicy('feeds', {
  'runs.read': visibleTo({ all: STAFF_ROLES }),
  /** Events and notifications carry the recipient's `organisation_id`: an `organisation` role would see its own. */
  'events.read': visibleTo({ all: STAFF_ROLES }),
  'notifications.read': visibleTo({ all: STAFF_ROLES }),
  'mappings.read': visibleTo({ all: STAFF_ROLES }),
  'mappings.write': ['admin', 'coordinator'],
  'sources.read': visibleTo({ all: STAFF_ROLES }),
  'sources.write': ['admin', 'coordinator'],
  ingest: ['admin', 'coordinator'],
  'notifications.send': ['admin', 'coordinator'],
});
