import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import { type Logger, createLogger } from '../kernel/logger.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { createDirectoryImportService } from './directory-import.service.ts';
import { createDirectoryReads } from './directory-reads.service.ts';
import { createInstanceKeyService } from './instance-key.service.ts';
import { createTeamIdentityService } from './team-identity.service.ts';
import { createOrganisationsService } from './organisations.service.ts';
import { createPeopleService } from './people.service.ts';
import { createKeyHealth, createPgpKeysService } from './pgp-keys.service.ts';

export type { OrganisationDetailModel, PersonDetailModel } from './organisations.service.ts';
export { type KeyView, RECHECK_SIGNATURES_JOB } from './pgp-keys.service.ts';
export type { OrganisationRef } from './directory-reads.service.ts';

export interface ContactsOptions {
  /** The instance's public address, for the links in security.txt and RFC 2350. */
  publicUrl: string;
  /** RENKEI_PGP_PASSPHRASE: protects the instance key's private part; null = stored unprotected. */
  pgpPassphrase: string | null;
  /** When given, importing keys enqueues the mail domain's signature re-check for their key IDs. */
  jobs?: Pick<JobQueue, 'enqueue'> | null;
  /** Where best-effort failures are reported; default: a logger of its own on standard error. */
  log?: Pick<Logger, 'warn'>;
  now?: () => Date;
}

export type ContactsService = ReturnType<typeof createContactsService>;

/**
 * The directory: organisations, people, networks and PGP keys; imports and exports; the instance's own key
 * and the documents signed with it.
 * @example const contacts = createContactsService(db, { publicUrl: 'https://csirt.example.jp', pgpPassphrase: null });
 */
export function createContactsService(db: Kysely<Schema>, options: ContactsOptions) {
  const now = options.now ?? (() => new Date());
  const keysWithHealth = createKeyHealth(now);
  return {
    ...createOrganisationsService(db, now, keysWithHealth),
    ...createPeopleService(db, now, keysWithHealth),
    ...createPgpKeysService(
      db,
      { now, jobs: options.jobs, log: options.log ?? createLogger({ level: 'info', name: 'renkei' }).child({ component: 'contacts' }) },
      keysWithHealth,
    ),
    ...createDirectoryImportService(db, now),
    ...createTeamIdentityService(db),
    ...createDirectoryReads(db),
    ...createInstanceKeyService(db, { publicUrl: options.publicUrl, pgpPassphrase: options.pgpPassphrase, now }),
  };
}
