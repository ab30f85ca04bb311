import type { Kysely } from 'kysely';
import type { BlobStore } from '../blobs/index.ts';
import type { OrganisationRef } from '../contacts/index.ts';
import type { Schema } from '../db/schema/index.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { ServiceUnavailableError } from '../kernel/errors.ts';
import type { MailService } from '../mail/index.ts';
import { createAdvisories } from './advisories.service.ts';
import { DEFAULT_PUBLIC_ID_PREFIXES, type PublicIdPrefixes, formatPublicId } from './catalogue/index.ts';
import { publicationScheduler } from './publication.ts';
import { createReleaseEarly } from './release-early.ts';
import { createCases } from './cases.service.ts';
import { createCaseTimeline } from './case-timeline.ts';
import { createCaseParticipants } from './case-participants.service.ts';
import { createEmbargoes } from './embargoes.service.ts';
import { createCaseMessages } from './messages.service.ts';
import { createParticipantNotifier } from './participant-notices.ts';
import { createVendorReminders } from './vendor-reminders.ts';
import { createVulnerabilityMailIntake } from './mail-intake.service.ts';
import { createReportAttachments } from './report-attachments.service.ts';
import { createStatuses } from './statuses.service.ts';
import { createVulnerabilityReports } from './reports.service.ts';
import { createCaseDates } from './case-dates.service.ts';
import { createContactAttempts } from './contact-attempts.service.ts';
import { createCvePool } from './cve-pool.service.ts';
import { createRegistry } from './registry.service.ts';
import { createVendorMail } from './vendor-mail.service.ts';
import { createCaseMailIntake } from './case-mail-intake.ts';
import { createWebhookEmitter } from './webhook-events.ts';
import { createWebhooks } from './webhooks.service.ts';
import { type FetchGuard, NO_FETCH_ALLOW } from '../kernel/fetch-guard.ts';

export interface VulnerabilitiesDeps {
  db: Kysely<Schema>;
  mail: Pick<MailService, 'ensureThread' | 'prepareSend' | 'queue' | 'getMessage' | 'encryptsTo' | 'deliveryOf' | 'assignThread'>;
  /** Where the proof-of-concept files of reports are kept. */
  blobs: Pick<BlobStore, 'open'>;
  contacts: {
    organisationsByIds: (ids: readonly string[]) => Promise<Map<string, OrganisationRef>>;
    /** The organisations a mail's sender belongs to: a vendor's reply is filed on the case only from one of its addresses. */
    organisationIdsOfAddress: (address: string) => Promise<string[]>;
  };
  /**
   * The queue: participants' notices and the publish job are enqueued inside the changing transaction.
   * Absent (a tool that only reads and publishes by sweep): changes that must notify someone are refused.
   */
  jobs?: Pick<JobQueue, 'enqueue' | 'start'> | undefined;
}

export interface VulnerabilitiesOptions {
  /** Days from a vendor's 起算日 to the target publication date. */
  targetDays?: number;
  /** The instance's public address, for links in participants' mail. */
  publicUrl?: string;
  /** Days of a vendor's silence before each reminder, and how many reminders at most. */
  reminders?: { reminderDays: number; maxReminders: number };
  /** Days from announcing an unreachable developer to the earliest publication without it (default 90). */
  unreachableWaitDays?: number;
  /** The team's time zone and first month of the fiscal year, for the dashboard's quarters (default Asia/Tokyo, April). */
  timeZone?: string;
  fiscalYearStartMonth?: number;
  now?: () => Date;
  /** Public ID prefixes (config: RENKEI_PUBLIC_ID_PREFIX_MULTI_PARTY / _SINGLE). */
  publicIdPrefixes?: PublicIdPrefixes;
  /** Where webhook deliveries may go and how long one attempt may take (default: public addresses only, 10 s). */
  webhooks?: { guard: FetchGuard; timeoutMs: number };
  /** Test-only: see `PublicationDeps.beforeCommit`. */
  beforePublishCommit?: (caseId: string) => Promise<void>;
}

/** Without a queue, a change that must enqueue a notice fails with a clear error rather than silently notifying nobody. */
const NO_QUEUE: Pick<JobQueue, 'enqueue' | 'start'> = {
  start: () => Promise.resolve(),
  enqueue: () => Promise.reject(new ServiceUnavailableError('no_job_queue', 'This process has no job queue: participants could not be told')),
};

export type VulnerabilitiesService = ReturnType<typeof createVulnerabilitiesService>;

/**
 * Vulnerability coordination, one facade over its capabilities: finders' reports (`reports.service.ts`, their files in `report-attachments.service.ts`, mail intake in `mail-intake.service.ts`),
 * cases with their vendors and vulnerabilities (`cases.service.ts`), partner coordinators and finders (`case-participants.service.ts`), each vendor's statuses (`statuses.service.ts`), the embargo
 * (`embargoes.service.ts`), messages with the participants' notices and reminders (`messages.service.ts`, `participant-notices.ts`,
 * `vendor-reminders.ts`), the advisory and its publication (`advisories.service.ts`, `publication.ts`), the early release (`release-early.ts`);
 * the back office: the product-developer registry and its proposals (`registry.service.ts`), the CVE pool (`cve-pool.service.ts`),
 * contact attempts and unreachable developers (`contact-attempts.service.ts`), the dates dashboard (`case-dates.service.ts`).
 * @example const vulnerabilities = createVulnerabilitiesService({ db, mail, blobs, contacts, jobs }, { targetDays: 45 });
 */
export function createVulnerabilitiesService(deps: VulnerabilitiesDeps, options: VulnerabilitiesOptions = {}) {
  const now = options.now ?? (() => new Date());
  const organisationsByIds = (ids: readonly string[]) => deps.contacts.organisationsByIds(ids);
  const jobs = deps.jobs ?? NO_QUEUE;
  const webhooks = createWebhookEmitter({ jobs, publicUrl: options.publicUrl ?? 'http://localhost:8080', now });
  const cases = { db: deps.db, organisationsByIds, now, targetDays: options.targetDays ?? 45, jobs, webhooks };
  const prefixes = options.publicIdPrefixes ?? DEFAULT_PUBLIC_ID_PREFIXES;
  // Unusable configured prefixes fail at start, not at an embargo instant.
  formatPublicId('single', 1, prefixes);
  const advisories = { ...cases, jobs: deps.jobs ?? null, publishing: { now, prefixes, beforeCommit: options.beforePublishCommit, webhooks } };
  const reports = createVulnerabilityReports({ db: deps.db, mail: deps.mail, organisationsByIds, now });
  return {
    ...reports,
    ...createReportAttachments({ db: deps.db, blobs: deps.blobs }),
    ...createVulnerabilityMailIntake({
      db: deps.db,
      mail: deps.mail,
      createVulnerabilityReport: (ctx, input) => reports.createVulnerabilityReport(ctx, input),
    }),
    ...createCases(cases),
    ...createCaseParticipants(cases),
    ...createCaseTimeline(cases),
    ...createStatuses(cases),
    ...createEmbargoes({ ...cases, publication: deps.jobs ? publicationScheduler(deps.jobs) : undefined }),
    ...createCaseMessages(cases),
    ...createVendorReminders(cases, options.reminders ?? { reminderDays: 7, maxReminders: 3 }),
    ...createVendorMail({ ...cases, mail: deps.mail, publicUrl: options.publicUrl ?? 'http://localhost:8080' }),
    ...createCaseMailIntake({
      db: deps.db,
      mail: deps.mail,
      organisationIdsOfAddress: (address) => deps.contacts.organisationIdsOfAddress(address),
      jobs: deps.jobs ?? NO_QUEUE,
      now,
    }),
    ...createParticipantNotifier({ db: deps.db, mail: deps.mail, organisationsByIds, publicUrl: options.publicUrl ?? 'http://localhost:8080' }),
    ...createAdvisories(advisories),
    ...createReleaseEarly({ ...advisories, mail: deps.mail }),
    ...createRegistry(cases),
    ...createCvePool(cases),
    ...createContactAttempts({ ...cases, unreachableWaitDays: options.unreachableWaitDays ?? 90 }),
    ...createWebhooks({ ...cases, guard: options.webhooks?.guard ?? { allow: NO_FETCH_ALLOW }, timeoutMs: options.webhooks?.timeoutMs ?? 10_000 }),
    ...createCaseDates({ ...cases, timeZone: options.timeZone ?? 'Asia/Tokyo', fiscalYearStartMonth: options.fiscalYearStartMonth ?? 4 }),
  };
}
