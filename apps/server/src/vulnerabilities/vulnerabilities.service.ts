import type { Kysely } from 'kysely';
import type { BlobStore } from '../blobs/index.ts';
import type { OrganisationRef } from '../contacts/index.ts';
import type { Schema } from '../db/schema/index.ts';
import type { MailService } from '../mail/index.ts';
import { createCases } from './cases.service.ts';
import { createEmbargoes } from './embargoes.service.ts';
import { createVulnerabilityMailIntake } from './mail-intake.service.ts';
import { createReportAttachments } from './report-attachments.service.ts';
import { createStatuses } from './statuses.service.ts';
import { createVulnerabilityReports } from './reports.service.ts';

export interface VulnerabilitiesDeps {
  db: Kysely<Schema>;
  mail: Pick<MailService, 'ensureThread' | 'prepareSend' | 'queue' | 'getMessage'>;
  /** Where the proof-of-concept files of reports are kept. */
  blobs: Pick<BlobStore, 'open'>;
  contacts: { organisationsByIds: (ids: readonly string[]) => Promise<Map<string, OrganisationRef>> };
}

export interface VulnerabilitiesOptions {
  /** Days from a vendor's 起算日 to the target publication date. */
  targetDays?: number;
  now?: () => Date;
}

export type VulnerabilitiesService = ReturnType<typeof createVulnerabilitiesService>;

/**
 * Vulnerability coordination, one facade over its capabilities: finders' reports (`reports.service.ts`)
 * cases with their vendors and vulnerabilities (`cases.service.ts`), each vendor's statuses (`statuses.service.ts`), and the embargo (`embargoes.service.ts`).
 * @example const vulnerabilities = createVulnerabilitiesService({ db, mail, blobs, contacts }, { targetDays: 45 });
 */
export function createVulnerabilitiesService(deps: VulnerabilitiesDeps, options: VulnerabilitiesOptions = {}) {
  const now = options.now ?? (() => new Date());
  const organisationsByIds = (ids: readonly string[]) => deps.contacts.organisationsByIds(ids);
  const cases = { db: deps.db, organisationsByIds, now, targetDays: options.targetDays ?? 45 };
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
    ...createStatuses(cases),
    ...createEmbargoes(cases),
  };
}
