import type { Migration } from 'kysely';
import * as foundation from './2026-11-26T0700-foundation.ts';
import * as jobIdempotencyKeys from './2026-11-26T0900-job-idempotency-keys.ts';
import * as contactsDirectory from './2026-11-26T1000-contacts-directory.ts';
import * as networkLookup from './2026-11-26T1030-network-lookup.ts';
import * as mail from './2026-11-26T1100-mail.ts';
import * as auditLogNoTruncate from './2026-11-26T1200-audit-log-no-truncate.ts';
import * as incidentsFormKey from './2026-11-26T1300-incidents-form-key.ts';
import * as incidents from './2026-11-26T1300-incidents.ts';
import * as feeds from './2026-11-26T1330-feeds.ts';
import * as mailIntakeSweep from './2026-11-26T1500-mail-intake-sweep.ts';
import * as mailOutboxGuard from './2026-12-01T0900-mail-outbox-guard.ts';
import * as publicFormKeys from './2026-12-01T0900-public-form-keys.ts';
import * as dropMailIntakeSweep from './2026-12-01T0930-drop-mail-intake-sweep.ts';
import * as vulnerabilities from './2026-12-04T0900-vulnerabilities.ts';
import * as caseMessages from './2026-12-04T1000-case-messages.ts';
import * as publicFormTokensSpent from './2026-12-04T1050-public-form-tokens-spent.ts';
import * as vulnerabilityReportMail from './2026-12-04T1100-vulnerability-report-mail.ts';
import * as unreachableAnnouncements from './2026-12-04T1200-unreachable-announcements.ts';
import * as caseParticipantsByCase from './2026-12-04T1300-case-participants-by-case.ts';
import * as advisories from './2026-12-04T1400-advisories.ts';
import * as mailHeldWithoutRelay from './2026-12-04T1500-mail-held-without-relay.ts';
import * as webhooks from './2026-12-05T0300-webhooks.ts';
import * as caseMails from './2026-12-05T0400-case-mails.ts';
import * as rateLimitCounters from './2026-12-05T0500-rate-limit-counters.ts';
import * as feedRunHeartbeat from './2026-12-05T0510-feed-run-heartbeat.ts';

/** Every migration, in order. Names are timestamps: a new one goes at the end. */
export const migrations: Record<string, Migration> = {
  '2026-11-26T0700-foundation': foundation,
  '2026-11-26T0900-job-idempotency-keys': jobIdempotencyKeys,
  '2026-11-26T1000-contacts-directory': contactsDirectory,
  '2026-11-26T1030-network-lookup': networkLookup,
  '2026-11-26T1100-mail': mail,
  '2026-11-26T1200-audit-log-no-truncate': auditLogNoTruncate,
  '2026-11-26T1300-incidents': incidents,
  '2026-11-26T1300-incidents-form-key': incidentsFormKey,
  '2026-11-26T1330-feeds': feeds,
  '2026-11-26T1500-mail-intake-sweep': mailIntakeSweep,
  '2026-12-01T0900-mail-outbox-guard': mailOutboxGuard,
  '2026-12-01T0900-public-form-keys': publicFormKeys,
  '2026-12-01T0930-drop-mail-intake-sweep': dropMailIntakeSweep,
  '2026-12-04T0900-vulnerabilities': vulnerabilities,
  '2026-12-04T1000-case-messages': caseMessages,
  '2026-12-04T1050-public-form-tokens-spent': publicFormTokensSpent,
  '2026-12-04T1100-vulnerability-report-mail': vulnerabilityReportMail,
  '2026-12-04T1200-unreachable-announcements': unreachableAnnouncements,
  '2026-12-04T1300-case-participants-by-case': caseParticipantsByCase,
  '2026-12-04T1400-advisories': advisories,
  '2026-12-04T1500-mail-held-without-relay': mailHeldWithoutRelay,
  '2026-12-05T0300-webhooks': webhooks,
  '2026-12-05T0400-case-mails': caseMails,
  '2026-12-05T0500-rate-limit-counters': rateLimitCounters,
  '2026-12-05T0510-feed-run-heartbeat': feedRunHeartbeat,
};
