import type { Kysely } from 'kysely';
import type { OrganisationRef } from '../contacts/index.ts';
import type { Schema } from '../db/schema/index.ts';
import type { MailService } from '../mail/index.ts';
import { createCases } from './cases.service.ts';
import { createEmbargoes } from './embargoes.service.ts';
import { createStatuses } from './statuses.service.ts';
import { createVulnerabilityReports } from './reports.service.ts';
import { createCaseDates } from './case-dates.service.ts';
import { createContactAttempts } from './contact-attempts.service.ts';
import { createCvePool } from './cve-pool.service.ts';
import { createRegistry } from './registry.service.ts';

export interface VulnerabilitiesDeps {
  db: Kysely<Schema>;
  mail: Pick<MailService, 'ensureThread' | 'prepareSend' | 'queue'>;
  contacts: { organisationsByIds: (ids: readonly string[]) => Promise<Map<string, OrganisationRef>> };
}

export interface VulnerabilitiesOptions {
  /** Days from a vendor's 起算日 to the target publication date. */
  targetDays?: number;
  /** Days from announcing an unreachable developer to the earliest publication without it (default 90). */
  unreachableWaitDays?: number;
  /** The team's time zone and first month of the fiscal year, for the dashboard's quarters (default Asia/Tokyo, April). */
  timeZone?: string;
  fiscalYearStartMonth?: number;
  now?: () => Date;
}

export type VulnerabilitiesService = ReturnType<typeof createVulnerabilitiesService>;

/**
 * Vulnerability coordination, one facade over its capabilities: finders' reports (`reports.service.ts`)
 * cases with their vendors and vulnerabilities (`cases.service.ts`), each vendor's statuses (`statuses.service.ts`), and the embargo (`embargoes.service.ts`);
 * the back office: the product-developer registry and its proposals (`registry.service.ts`), the CVE pool (`cve-pool.service.ts`),
 * contact attempts and unreachable developers (`contact-attempts.service.ts`), the dates dashboard (`case-dates.service.ts`).
 * @example const vulnerabilities = createVulnerabilitiesService({ db, mail, contacts }, { targetDays: 45 });
 */
export function createVulnerabilitiesService(deps: VulnerabilitiesDeps, options: VulnerabilitiesOptions = {}) {
  const now = options.now ?? (() => new Date());
  const organisationsByIds = (ids: readonly string[]) => deps.contacts.organisationsByIds(ids);
  const cases = { db: deps.db, organisationsByIds, now, targetDays: options.targetDays ?? 45 };
  return {
    ...createVulnerabilityReports({ db: deps.db, mail: deps.mail, organisationsByIds, now }),
    ...createCases(cases),
    ...createStatuses(cases),
    ...createEmbargoes(cases),
    ...createRegistry(cases),
    ...createCvePool(cases),
    ...createContactAttempts({ ...cases, unreachableWaitDays: options.unreachableWaitDays ?? 90 }),
    ...createCaseDates({ ...cases, timeZone: options.timeZone ?? 'Asia/Tokyo', fiscalYearStartMonth: options.fiscalYearStartMonth ?? 4 }),
  };
}
