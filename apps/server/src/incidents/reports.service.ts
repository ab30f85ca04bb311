import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { IncidentCategory, LookupAnswer, TlpLevel, UpdateReportRequest } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { BlobStore } from '../blobs/index.ts';
import type { NetworkLookupService } from '../contacts/index.ts';
import type { Schema } from '../db/schema/index.ts';
import type { ReportChannel } from '../db/schema/incidents.ts';
import { BadRequestError, NotFoundError } from '../kernel/errors.ts';
import { cleanText } from '../kernel/text.ts';
import { type RequestContext, actorId } from '../policy/actor.ts';
import { incidentsPolicy } from './incidents.policy.ts';
import {
  type IncidentModel,
  type ObservableModel,
  type ReportModel,
  appendEvent,
  findReport,
  insertObservables,
  listReportsPage,
  matchingIncidents,
  nextReference,
  observablesOf,
  reportRowToModel,
} from './incidents.repository.ts';
import { MAX_OBSERVABLES_PER_REPORT, extractObservables } from './observables.ts';
import { followUpTokenOf, incidentsOfReport, insertReport, insertReportMessage, messagesOfReport, updateReportRow } from './reports.repository.ts';

/** A report as an intake channel hands it over. Every text field is untrusted input. */
export interface NewReport {
  channel: ReportChannel;
  title: string;
  description?: string | undefined;
  category?: IncidentCategory | null | undefined;
  tlp?: TlpLevel | undefined;
  priority?: number | undefined;
  reporter?: { name?: string | undefined; email?: string | undefined; organisation?: string | undefined; language?: 'ja' | 'en' | undefined } | undefined;
  /** Explicit indicators (API, IODEF, X-ARF); the description is scanned for more. */
  observables?: readonly string[] | undefined;
  /** The input exactly as received: kept in the row when small, in the blob store when large or binary. */
  raw?: { text?: string | undefined; bytes?: Buffer | undefined; contentType?: string | undefined } | undefined;
  /** The raw input already in the blob store (a mail message's bytes). */
  rawSha256?: string | undefined;
  mailMessageId?: string | undefined;
  mailThreadId?: string | undefined;
  clientAddress?: string | null | undefined;
  /** Make a follow-up token for the reporter (web form); shown once, stored hashed. */
  withFollowUpToken?: boolean | undefined;
}

export interface CreatedReport {
  report: ReportModel;
  /** The reporter's follow-up token, in clear: only now, never again. NULL = none made. */
  followUpToken: string | null;
  observableCount: number;
  observablesDropped: number;
  warnings: string[];
}

export interface ReportView extends ReportModel {
  observables: ObservableModel[];
  incidents: { id: string; reference: string; title: string; status: IncidentModel['status'] }[];
  messages: { id: number; author: 'reporter' | 'team'; body: string; at: Date }[];
}

export interface Proposal {
  incident: { id: string; reference: string; title: string; category: IncidentCategory; status: IncidentModel['status'] };
  matched: { kind: 'url' | 'domain' | 'ip'; value: string }[];
  lastReportAt: Date;
}

export interface ReportsDeps {
  db: Kysely<Schema>;
  blobs: BlobStore;
  network: NetworkLookupService;
  now: () => Date;
  /** How far back a matching report makes its incident a proposal (ms). */
  matchWindowMs: number;
  /** Largest raw input kept in the row as text; larger goes to the blob store only. */
  rawTextLimit: number;
}

const LOOKUP_LIMIT = 50;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export const cleanOrNull = (value: string | undefined | null, max: number): string | null => (value ? cleanText(value, max) || null : null);

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function extractionWarnings(extraction: ReturnType<typeof extractObservables>): string[] {
  const warnings: string[] = [];
  if (extraction.dropped > 0)
    warnings.push(
      `The report names more than ${MAX_OBSERVABLES_PER_REPORT} distinct observables; the first ${MAX_OBSERVABLES_PER_REPORT} were kept and ${extraction.dropped} were not stored`,
    );
  for (const bad of extraction.invalid.slice(0, 20)) warnings.push(`Not an observable: "${bad.input.slice(0, 80)}" (${bad.error})`);
  if (extraction.invalid.length > 20) warnings.push(`… and ${extraction.invalid.length - 20} more items that are not observables`);
  return warnings;
}

/** The raw input: its blob (large or binary) and its text (small enough for the row). */
async function storeRaw(deps: ReportsDeps, input: NewReport): Promise<{ rawSha256: string | null; rawText: string | null }> {
  const { blobs, rawTextLimit } = deps;
  let rawSha256: string | null = input.rawSha256 ?? null;
  let rawText: string | null = null;
  if (input.raw?.bytes && input.raw.bytes.length > 0) {
    rawSha256 = (await blobs.put(once(input.raw.bytes))).sha256;
    if (input.raw.bytes.length <= rawTextLimit) rawText = cleanText(input.raw.bytes.toString('utf8'), rawTextLimit);
  } else if (input.raw?.text) {
    if (Buffer.byteLength(input.raw.text) > rawTextLimit) rawSha256 = (await blobs.put(once(Buffer.from(input.raw.text)))).sha256;
    else rawText = cleanText(input.raw.text, rawTextLimit);
  }
  return { rawSha256, rawText };
}

/**
 * Intake: files a report from any channel (reference, observables capped, the raw input, audit).
 * @example const intake = createReportIntake(deps); await intake.createReport(ctx, { channel: 'api', title: 'Phishing' });
 */
export function createReportIntake(deps: ReportsDeps) {
  const { db, now } = deps;
  return {
    /**
     * Files a report from any channel: reference, observables (capped), the raw input, audit. Authorisation
     * is the channel's: the public form and the mail intake call it as anonymous or system.
     */
    async createReport(ctx: RequestContext, input: NewReport): Promise<CreatedReport> {
      if (ctx.actor.kind === 'user') incidentsPolicy.authorize(ctx.actor, 'reports.create');
      const description = cleanText(input.description, 200_000);
      const extraction = extractObservables({ text: `${input.title}\n${description}`, items: input.observables ?? [] });
      const warnings = extractionWarnings(extraction);
      const { rawSha256, rawText } = await storeRaw(deps, input);
      const token = input.withFollowUpToken ? randomBytes(24).toString('base64url') : null;
      const reporter = input.reporter ?? {};
      const created = await db.transaction().execute(async (trx) => {
        const reference = await nextReference(trx, 'IR', now());
        const report = await insertReport(trx, {
          reference,
          channel: input.channel,
          title: cleanText(input.title, 500) || '(no title)',
          description,
          category: input.category ?? null,
          tlp: input.tlp,
          priority: input.priority,
          raw_sha256: rawSha256,
          raw_text: rawText,
          content_type: cleanOrNull(input.raw?.contentType, 200),
          reporter_name: cleanOrNull(reporter.name, 200),
          reporter_email: cleanOrNull(reporter.email, 254)?.toLowerCase() ?? null,
          reporter_organisation: cleanOrNull(reporter.organisation, 200),
          reporter_language: reporter.language ?? null,
          follow_up_token_hash: token ? hashToken(token) : null,
          mail_message_id: input.mailMessageId ?? null,
          mail_thread_id: input.mailThreadId ?? null,
          client_address: input.clientAddress ?? ctx.ip,
          observables_dropped: extraction.dropped,
          created_by: actorId(ctx.actor),
        });
        await insertObservables(trx, report.id, extraction.observables);
        await recordAudit(trx, ctx, {
          action: 'report.create',
          targetType: 'report',
          targetId: report.id,
          after: { reference, channel: input.channel, observables: extraction.observables.length, dropped: extraction.dropped },
        });
        return report;
      });
      return { report: created, followUpToken: token, observableCount: extraction.observables.length, observablesDropped: extraction.dropped, warnings };
    },
  };
}

/** A report with its observables, incidents and messages; no authorisation (callers check). */
export async function reportView(db: Kysely<Schema>, id: string): Promise<ReportView> {
  const row = await findReport(db, id);
  if (!row) throw new NotFoundError('report_not_found', 'No such report');
  const [observables, incidents, messages] = await Promise.all([observablesOf(db, [id]), incidentsOfReport(db, id), messagesOfReport(db, id)]);
  return { ...reportRowToModel(row), observables: observables.map(({ reportId: _, ...o }) => o), incidents, messages };
}

/** Matching rows grouped per incident, the strongest first: a URL match beats a host match, more matches beat fewer. */
function rankProposals(rows: Awaited<ReturnType<typeof matchingIncidents>>): Proposal[] {
  const byIncident = new Map<string, Proposal>();
  for (const row of rows) {
    let proposal = byIncident.get(row.id);
    if (!proposal)
      byIncident.set(
        row.id,
        (proposal = {
          incident: { id: row.id, reference: row.reference, title: row.title, category: row.category, status: row.status },
          matched: [],
          lastReportAt: row.received_at,
        }),
      );
    if (!proposal.matched.some((m) => m.kind === row.kind && m.value === row.value))
      proposal.matched.push({ kind: row.kind as 'url' | 'domain' | 'ip', value: row.value });
    if (row.received_at > proposal.lastReportAt) proposal.lastReportAt = row.received_at;
  }
  const weight = (p: Proposal) => p.matched.reduce((sum, m) => sum + (m.kind === 'url' ? 10 : 1), 0);
  return [...byIncident.values()].sort((a, b) => weight(b) - weight(a) || b.lastReportAt.getTime() - a.lastReportAt.getTime()).slice(0, 20);
}

/**
 * Triage: the queue, a report with its lookup answers, its changes, and the incidents it may belong to.
 * @example const triage = createReportTriage(deps); await triage.listReports(ctx, { offset: 0, limit: 50 });
 */
export function createReportTriage(deps: ReportsDeps) {
  const { db, network, now, matchWindowMs } = deps;
  return {
    async listReports(ctx: RequestContext, query: Parameters<typeof listReportsPage>[1]) {
      const page = await listReportsPage(db, query, incidentsPolicy.listScope(ctx.actor, 'reports.read'));
      return { items: page.rows.map((row) => ({ ...reportRowToModel(row), observableCount: row.observable_count })), total: page.total };
    },

    async getReport(ctx: RequestContext, id: string): Promise<ReportView & { lookup: LookupAnswer[] }> {
      incidentsPolicy.detailScope(ctx.actor, 'reports.read', () => new NotFoundError('report_not_found', 'No such report'));
      const view = await reportView(db, id);
      const hosts = view.observables.filter((o) => o.kind === 'ip' || o.kind === 'domain').slice(0, LOOKUP_LIMIT);
      const lookup =
        hosts.length > 0
          ? await network.lookup(
              ctx,
              hosts.map((o) => o.value),
            )
          : [];
      return { ...view, lookup };
    },

    /** A report with its observables, incidents and messages; no authorisation (callers check). */
    async reportView(id: string): Promise<ReportView> {
      return reportView(db, id);
    },

    async updateReport(ctx: RequestContext, id: string, changes: UpdateReportRequest): Promise<ReportModel> {
      incidentsPolicy.authorize(ctx.actor, 'reports.write');
      return db.transaction().execute(async (trx) => {
        const before = await findReport(trx, id);
        if (!before) throw new NotFoundError('report_not_found', 'No such report');
        const report = await updateReportRow(trx, id, {
          ...(changes.status ? { status: changes.status } : {}),
          ...(changes.priority ? { priority: changes.priority } : {}),
          ...(changes.tlp ? { tlp: changes.tlp } : {}),
          ...(changes.category !== undefined ? { category: changes.category } : {}),
          updated_at: now(),
        });
        await recordAudit(trx, ctx, {
          action: 'report.update',
          targetType: 'report',
          targetId: id,
          before: { status: before.status, priority: before.priority, tlp: before.tlp, category: before.category },
          after: changes,
        });
        return report;
      });
    },

    /** Open incidents an analyst may want to link this report to: same URL, host or IP and category, recent. */
    async proposals(ctx: RequestContext, reportId: string): Promise<Proposal[]> {
      incidentsPolicy.detailScope(ctx.actor, 'reports.read', () => new NotFoundError('report_not_found', 'No such report'));
      const report = await findReport(db, reportId);
      if (!report) throw new NotFoundError('report_not_found', 'No such report');
      return rankProposals(await matchingIncidents(db, reportId, report.category, new Date(report.received_at.getTime() - matchWindowMs)));
    },
  };
}

/**
 * The conversation with the reporter: the status page (reference and token) and the team's answers.
 * @example const talk = createReporterMessages(deps); await talk.reportForReporter('IR-2026-000001', token);
 */
export function createReporterMessages(deps: ReportsDeps) {
  const { db } = deps;
  async function reportForReporter(reference: string, token: string): Promise<ReportView | null> {
    if (!/^IR-\d{4}-\d{6,}$/.test(reference) || token.length < 16 || token.length > 100) return null;
    const row = await followUpTokenOf(db, reference);
    if (!row?.follow_up_token_hash) return null;
    const given = Buffer.from(hashToken(token), 'hex');
    const stored = Buffer.from(row.follow_up_token_hash, 'hex');
    if (given.length !== stored.length || !timingSafeEqual(given, stored)) return null;
    return reportView(db, row.id);
  }
  return {
    /** The report a reporter may see, when the reference and token match (constant-time); else null. */
    reportForReporter,

    /** The reporter answers on the status page; the linked incidents' timelines get it too. */
    async reporterReply(reference: string, token: string, body: string, ip: string | null): Promise<ReportView | null> {
      const report = await reportForReporter(reference, token);
      if (!report) return null;
      const text = cleanText(body, 20_000).trim();
      if (!text) throw new BadRequestError('empty_message', 'The message is empty');
      await db.transaction().execute(async (trx) => {
        await insertReportMessage(trx, { reportId: report.id, author: 'reporter', authorId: null, body: text, mailMessageId: null });
        for (const incident of report.incidents)
          await appendEvent(trx, incident.id, { id: null, label: 'reporter' }, 'reporter_message', {
            reportId: report.id,
            reference: report.reference,
            body: text,
          });
        await recordAudit(
          trx,
          { actor: { kind: 'anonymous' }, ip, requestId: null },
          { action: 'report.reporter_reply', targetType: 'report', targetId: report.id },
        );
      });
      return reportView(db, report.id);
    },

    /** The team answers the reporter (shown on the status page). */
    async replyToReporter(ctx: RequestContext, reportId: string, body: string): Promise<ReportView> {
      incidentsPolicy.authorize(ctx.actor, 'reports.write');
      const report = await findReport(db, reportId);
      if (!report) throw new NotFoundError('report_not_found', 'No such report');
      await db.transaction().execute(async (trx) => {
        await insertReportMessage(trx, { reportId, author: 'team', authorId: actorId(ctx.actor), body: cleanText(body, 20_000), mailMessageId: null });
        await recordAudit(trx, ctx, { action: 'report.team_reply', targetType: 'report', targetId: reportId });
      });
      return reportView(db, reportId);
    },
  };
}
