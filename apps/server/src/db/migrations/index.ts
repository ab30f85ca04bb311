import type { Migration } from 'kysely';
import * as foundation from './2026-11-26T0700-foundation.ts';
import * as jobIdempotencyKeys from './2026-11-26T0900-job-idempotency-keys.ts';
import * as contactsDirectory from './2026-11-26T1000-contacts-directory.ts';
import * as networkLookup from './2026-11-26T1030-network-lookup.ts';
import * as mail from './2026-11-26T1100-mail.ts';
import * as auditLogNoTruncate from './2026-11-26T1200-audit-log-no-truncate.ts';
import * as feeds from './2026-11-26T1330-feeds.ts';
import * as incidents from './2026-11-26T1300-incidents.ts';
import * as incidentsFormKey from './2026-11-26T1300-incidents-form-key.ts';
import * as mailIntakeSweep from './2026-11-26T1500-mail-intake-sweep.ts';
import * as mailOutboxGuard from './2026-12-01T0900-mail-outbox-guard.ts';
import * as publicFormKeys from './2026-12-01T0900-public-form-keys.ts';
import * as dropMailIntakeSweep from './2026-12-01T0930-drop-mail-intake-sweep.ts';
import * as vulnerabilities from './2026-12-04T0900-vulnerabilities.ts';
import * as unreachableAnnouncements from './2026-12-04T1200-unreachable-announcements.ts';

/** Every migration, in order. Names are timestamps: a new one goes at the end. */
export const migrations: Record<string, Migration> = {
  '2026-11-26T0700-foundation': foundation,
  '2026-11-26T0900-job-idempotency-keys': jobIdempotencyKeys,
  '2026-11-26T1000-contacts-directory': contactsDirectory,
  '2026-11-26T1030-network-lookup': networkLookup,
  '2026-11-26T1100-mail': mail,
  '2026-11-26T1200-audit-log-no-truncate': auditLogNoTruncate,
  '2026-11-26T1330-feeds': feeds,
  '2026-11-26T1300-incidents': incidents,
  '2026-11-26T1300-incidents-form-key': incidentsFormKey,
  '2026-11-26T1500-mail-intake-sweep': mailIntakeSweep,
  '2026-12-01T0900-mail-outbox-guard': mailOutboxGuard,
  '2026-12-01T0900-public-form-keys': publicFormKeys,
  '2026-12-01T0930-drop-mail-intake-sweep': dropMailIntakeSweep,
  '2026-12-04T0900-vulnerabilities': vulnerabilities,
  '2026-12-04T1200-unreachable-announcements': unreachableAnnouncements,
};
