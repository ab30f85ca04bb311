import type { Kysely } from 'kysely';
import type { BlobStore } from '../blobs/index.ts';
import type { ContactsService, NetworkLookupService } from '../contacts/index.ts';
import type { Schema } from '../db/schema/index.ts';
import type { MailService } from '../mail/index.ts';
import { type CoordinationOptions, createCoordinations } from './coordinations.ts';
import { createIncidentMergeSplit, createIncidentRecords } from './incident-records.service.ts';
import { createMailIntake } from './mail-intake.service.ts';
import { type ReportsDeps, createReportIntake, createReportTriage, createReporterMessages } from './reports.service.ts';

export type { IncidentView } from './incident-links.ts';
export { type CreatedReport, type NewReport, type Proposal, type ReportView, hashToken } from './reports.service.ts';

export interface IncidentsOptions extends CoordinationOptions {
  /** How far back a matching report makes its incident a proposal (days). */
  matchWindowDays?: number;
  /** Largest raw input kept in the row as text; larger goes to the blob store only. */
  rawTextLimit?: number;
  now?: () => Date;
}

export type IncidentsService = ReturnType<typeof createIncidentsService>;

const RAW_TEXT_LIMIT = 256 * 1024;

/**
 * Reports, incidents, their links, merges and splits, the timeline, coordinations and the mail intake:
 * the domain's one facade over its capabilities (reports.service, incident-records.service,
 * coordinations, mail-intake.service).
 * @example const incidents = createIncidentsService({ db, blobs, network }); await incidents.createReport(ctx, { channel: 'api', title: 'Phishing' });
 */
export function createIncidentsService(
  deps: { db: Kysely<Schema>; blobs: BlobStore; network: NetworkLookupService; mail: MailService; contacts: ContactsService },
  options: IncidentsOptions = {},
) {
  const now = options.now ?? (() => new Date());
  const reportsDeps: ReportsDeps = {
    db: deps.db,
    blobs: deps.blobs,
    network: deps.network,
    now,
    matchWindowMs: (options.matchWindowDays ?? 14) * 86_400_000,
    rawTextLimit: options.rawTextLimit ?? RAW_TEXT_LIMIT,
  };
  const coordinations = createCoordinations(deps, options);
  const intake = createReportIntake(reportsDeps);
  return {
    ...coordinations,
    ...intake,
    ...createReportTriage(reportsDeps),
    ...createReporterMessages(reportsDeps),
    ...createIncidentRecords({ db: deps.db, now }),
    ...createIncidentMergeSplit({ db: deps.db, now }),
    ...createMailIntake({
      db: deps.db,
      mail: deps.mail,
      createReport: (ctx, input) => intake.createReport(ctx, input),
      recordInbound: (message) => coordinations.recordInbound(message),
    }),
  };
}
