import type { Kysely } from 'kysely';
import type { OrganisationRef } from '../contacts/index.ts';
import type { Schema } from '../db/schema/index.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { MailService } from '../mail/index.ts';
import { createCases } from './cases.service.ts';
import { createEmbargoes } from './embargoes.service.ts';
import { createCaseMessages } from './messages.service.ts';
import { createParticipantNotifier } from './participant-notices.ts';
import { createVendorReminders } from './vendor-reminders.ts';
import { createStatuses } from './statuses.service.ts';
import { createVulnerabilityReports } from './reports.service.ts';

export interface VulnerabilitiesDeps {
  db: Kysely<Schema>;
  mail: Pick<MailService, 'ensureThread' | 'prepareSend' | 'queue'>;
  contacts: { organisationsByIds: (ids: readonly string[]) => Promise<Map<string, OrganisationRef>> };
  jobs: Pick<JobQueue, 'enqueue'>;
}

export interface VulnerabilitiesOptions {
  /** Days from a vendor's 起算日 to the target publication date. */
  targetDays?: number;
  /** The instance's public address, for links in participants' mail. */
  publicUrl?: string;
  /** Days of a vendor's silence before each reminder, and how many reminders at most. */
  reminders?: { reminderDays: number; maxReminders: number };
  now?: () => Date;
}

export type VulnerabilitiesService = ReturnType<typeof createVulnerabilitiesService>;

/**
 * Vulnerability coordination, one facade over its capabilities: finders' reports (`reports.service.ts`)
 * cases with their vendors and vulnerabilities (`cases.service.ts`), each vendor's statuses (`statuses.service.ts`), the embargo (`embargoes.service.ts`), and messages with the participants' notices (`messages.service.ts`, `participant-notices.ts`).
 * @example const vulnerabilities = createVulnerabilitiesService({ db, mail, contacts }, { targetDays: 45 });
 */
export function createVulnerabilitiesService(deps: VulnerabilitiesDeps, options: VulnerabilitiesOptions = {}) {
  const now = options.now ?? (() => new Date());
  const organisationsByIds = (ids: readonly string[]) => deps.contacts.organisationsByIds(ids);
  const cases = { db: deps.db, organisationsByIds, now, targetDays: options.targetDays ?? 45, jobs: deps.jobs };
  return {
    ...createVulnerabilityReports({ db: deps.db, mail: deps.mail, organisationsByIds, now }),
    ...createCases(cases),
    ...createStatuses(cases),
    ...createEmbargoes(cases),
    ...createCaseMessages(cases),
    ...createVendorReminders(cases, options.reminders ?? { reminderDays: 7, maxReminders: 3 }),
    ...createParticipantNotifier({ db: deps.db, mail: deps.mail, organisationsByIds, publicUrl: options.publicUrl ?? 'http://localhost:8080' }),
  };
}
