import { type AccountsService, createAccountsService } from '../accounts/index.ts';
import { type AuditService, createAuditService } from '../audit/index.ts';
import { type BlobStore, createBlobStore } from '../blobs/index.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { type ContactsService, type NetworkLookupService, createContactsService, createNetworkLookupService } from '../contacts/index.ts';
import { type FeedsService, createFeedsService } from '../feeds/index.ts';
import { INTAKE_MAIL_JOB, type IncidentsService, createIncidentsService } from '../incidents/index.ts';
import { type JobQueue, createJobQueue } from '../jobs/job-queue.ts';
import { type Logger, createLogger } from '../kernel/logger.ts';
import { registerJobs } from './job-registry.ts';
import { testPublishPause } from '../jobs/test-jobs.ts';
import { type MailService, createMailService, directoryKeyRing } from '../mail/index.ts';
import { type StatisticsService, createStatisticsService } from '../statistics/index.ts';
import {
  CASE_MAIL_JOB,
  VULNERABILITY_INTAKE_MAIL_JOB,
  type VulnerabilitiesService,
  createVulnerabilitiesService,
  isCaseMail,
  isForVulnerabilityIntake,
} from '../vulnerabilities/index.ts';

/** Every domain service, built once per process over one database and handed to routes, jobs and CLI. */
export interface Services {
  database: Database;
  accounts: AccountsService;
  audit: AuditService;
  /** Content-addressed files (attachments, samples) under `<dataDir>/blobs`. */
  blobs: BlobStore;
  /** The directory: organisations, people, PGP keys, networks; the instance key and security.txt. */
  contacts: ContactsService;
  /** Bulk feeds: ingest runs, events, mappings, sources, notifications per recipient. */
  feeds: FeedsService;
  /** Reports, incidents, coordinations and the timeline. */
  incidents: IncidentsService;
  /** The job queue: enqueue background work here; `renkei serve` and `renkei worker` run its worker. */
  jobs: JobQueue;
  /** SMTP intake, mailbox, PGP, outbound through the relay. */
  mail: MailService;
  /** "Who can act on this?": IP data, the directory's networks, RDAP and security.txt. */
  networkLookup: NetworkLookupService;
  /** Counts per month, quarter and fiscal year (a read model over the incidents tables). */
  statistics: StatisticsService;
  /** Vulnerability coordination: finders' reports, cases, vendors, statuses, embargoes. */
  vulnerabilities: VulnerabilitiesService;
  /** The process's logger; each part logs through `log.child({ component })`. */
  log: Logger;
  startedAt: Date;
}

export function createServices(database: Database, config: Config, options: { log?: Logger } = {}): Services {
  const log = options.log ?? createLogger({ level: config.logLevel, name: 'renkei' });
  const blobs = createBlobStore(database.db, { dataDir: config.dataDir, limitBytes: config.blobLimitBytes });
  const jobs = createJobQueue(database, {
    pollingIntervalSeconds: config.jobPollSeconds,
    maintenanceIntervalSeconds: config.jobMaintenanceSeconds,
    log: log.child({ component: 'jobs' }),
  });
  const fetchGuard = { allow: config.fetchAllow };
  const networkLookup = createNetworkLookupService(database.db, { online: { guard: fetchGuard } });
  const contacts = createContactsService(database.db, {
    publicUrl: config.publicUrl,
    pgpPassphrase: config.pgpPassphrase,
    jobs,
    log: log.child({ component: 'contacts' }),
  });
  const mail = createMailService(
    {
      db: database.db,
      blobs,
      jobs,
      keyRing: directoryKeyRing(database.db, { passphrase: config.pgpPassphrase }),
      team: () => contacts.teamIdentity(),
    },
    {
      intakeAddress: config.intakeAddress,
      relayUrl: config.smtpRelayUrl,
      sizeLimitBytes: config.mailSizeLimitBytes,
      limits: { maxParts: config.mailMaxParts, maxHeaderBytes: config.mailMaxHeaderBytes },
      otherAddresses: [config.vulnerabilityIntakeAddress],
      // Each new inbound message goes to one intake as a job enqueued in the storing transaction, so a
      // crash loses neither or both (mail never imports incidents or vulnerabilities): mail to the
      // vulnerability intake address becomes a finder's report; mail naming a case or in a vendor's thread of
      // one (a reply, a DSN) goes to the case mail intake, which passes on what it may not file; any other
      // becomes an incident report.
      afterInbound: async (trx, message) =>
        void (await jobs.enqueue(
          isForVulnerabilityIntake(message.recipients, config.vulnerabilityIntakeAddress)
            ? VULNERABILITY_INTAKE_MAIL_JOB
            : isCaseMail(message)
              ? CASE_MAIL_JOB
              : INTAKE_MAIL_JOB,
          { messageId: message.id },
          { trx, idempotencyKey: message.id },
        )),
    },
  );
  const services: Services = {
    database,
    accounts: createAccountsService(database.db, { sessionTtlHours: config.sessionTtlHours, issuer: 'Renkei' }),
    audit: createAuditService(database.db),
    blobs,
    contacts,
    feeds: createFeedsService(
      {
        db: database.db,
        blobs,
        network: networkLookup,
        mail: () => mail,
        team: () => contacts.teamIdentity(),
        engine: database.engine,
        blobLimitBytes: config.blobLimitBytes,
      },
      { maxFetchBytes: config.blobLimitBytes, fetchTimeoutMs: 120_000, fetchGuard, maxEventsPerNotification: 20_000 },
    ),
    incidents: createIncidentsService({ db: database.db, blobs, network: networkLookup, mail, contacts }),
    jobs,
    mail,
    networkLookup,
    statistics: createStatisticsService({ db: database.db }, { timeZone: config.teamTimeZone, fiscalYearStartMonth: config.fiscalYearStartMonth }),
    vulnerabilities: createVulnerabilitiesService(
      { db: database.db, mail, blobs, contacts, jobs },
      {
        targetDays: config.caseTargetDays,
        publicUrl: config.publicUrl,
        reminders: { reminderDays: config.vendorReminderDays, maxReminders: config.vendorMaxReminders },
        publicIdPrefixes: config.publicIdPrefixes,
        beforePublishCommit: testPublishPause(config),
        webhooks: { guard: fetchGuard, timeoutMs: config.webhook.timeoutSeconds * 1000 },
        unreachableWaitDays: config.unreachableWaitDays,
        timeZone: config.teamTimeZone,
        fiscalYearStartMonth: config.fiscalYearStartMonth,
      },
    ),
    log,
    startedAt: new Date(),
  };
  registerJobs(services, config);
  return services;
}
