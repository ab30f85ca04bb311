import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Kysely, type Transaction } from 'kysely';
import {
  type CreateIncidentRequest,
  type IncidentCategory,
  type LookupAnswer,
  type TlpLevel,
  type UpdateIncidentRequest,
  type UpdateReportRequest,
  parseTlp,
} from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { BlobStore } from '../blobs/index.ts';
import type { ContactsService, NetworkLookupService } from '../contacts/index.ts';
import type { Schema } from '../db/schema/index.ts';
import type { ReportChannel } from '../db/schema/incidents.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../kernel/errors.ts';
import { cleanText } from '../kernel/text.ts';
import type { MailService } from '../mail/index.ts';
import { type RequestContext, actorId, actorLabel, systemContext } from '../policy/actor.ts';
import { scopeWhere } from '../policy/scope.ts';
import { type CoordinationOptions, createCoordinations } from './coordinations.ts';
import { incidentsPolicy } from './incidents.policy.ts';
import {
  type IncidentEventModel,
  type IncidentModel,
  type ObservableModel,
  type ReportModel,
  appendEvent,
  findIncident,
  findReport,
  incidentRowToModel,
  insertObservables,
  listReportsPage,
  matchingIncidents,
  nextReference,
  observablesOf,
  reportIdsOf,
  reportRowToModel,
  timelineOf,
} from './incidents.repository.ts';
import { MAX_OBSERVABLES_PER_REPORT, extractObservables } from './observables.ts';

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

export interface IncidentView extends IncidentModel {
  reportIds: string[];
}

export interface Proposal {
  incident: { id: string; reference: string; title: string; category: IncidentCategory; status: IncidentModel['status'] };
  matched: { kind: 'url' | 'domain' | 'ip'; value: string }[];
  lastReportAt: Date;
}

export interface IncidentsOptions extends CoordinationOptions {
  /** How far back a matching report makes its incident a proposal (days). */
  matchWindowDays?: number;
  /** Largest raw input kept in the row as text; larger goes to the blob store only. */
  rawTextLimit?: number;
  now?: () => Date;
}

export type IncidentsService = ReturnType<typeof createIncidentsService>;

/** Flags on which the mail intake files nothing. */
const SKIPPED_FLAGS = ['dsn', 'auto_reply', 'unmatched_reply'];

const RAW_TEXT_LIMIT = 256 * 1024;
const LOOKUP_LIMIT = 50;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
const who = (ctx: RequestContext) => ({ id: actorId(ctx.actor), label: actorLabel(ctx.actor) });

const cleanOrNull = (value: string | undefined | null, max: number): string | null => (value ? cleanText(value, max) || null : null);

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/**
 * Reports, incidents, their links, merges and splits, and the timeline.
 * @example const incidents = createIncidentsService({ db, blobs, network }); await incidents.createReport(ctx, { channel: 'api', title: 'Phishing' });
 */
export function createIncidentsService(
  deps: { db: Kysely<Schema>; blobs: BlobStore; network: NetworkLookupService; mail: MailService; contacts: ContactsService },
  options: IncidentsOptions = {},
) {
  const { db, blobs, network, mail } = deps;
  const coordinations = createCoordinations(deps, options);
  const now = options.now ?? (() => new Date());
  const matchWindowMs = (options.matchWindowDays ?? 14) * 86_400_000;
  const rawTextLimit = options.rawTextLimit ?? RAW_TEXT_LIMIT;

  async function loadIncident(executor: Kysely<Schema>, id: string): Promise<IncidentModel> {
    const row = await findIncident(executor, id);
    if (!row) throw new NotFoundError('incident_not_found', 'No such incident');
    return incidentRowToModel(row);
  }

  async function incidentView(executor: Kysely<Schema>, id: string): Promise<IncidentView> {
    const incident = await loadIncident(executor, id);
    return { ...incident, reportIds: await reportIdsOf(executor, id) };
  }

  function writable(incident: IncidentModel): void {
    if (incident.status === 'merged') throw new ConflictError('incident_merged', `This incident was merged into another; change that one instead`);
  }

  /** Links reports to an incident (idempotent), marks them linked, and writes the timeline. */
  async function link(
    trx: Transaction<Schema>,
    ctx: RequestContext,
    incident: IncidentModel,
    reportIds: readonly string[],
    kind = 'report_linked',
  ): Promise<void> {
    const actor = who(ctx);
    const reports = await trx.selectFrom('reports').select(['id', 'reference', 'received_at']).where('id', 'in', reportIds).execute();
    if (reports.length !== new Set(reportIds).size) throw new NotFoundError('report_not_found', 'One of the reports does not exist');
    for (const report of reports) {
      const existing = await trx
        .selectFrom('incident_reports')
        .select('unlinked_at')
        .where('incident_id', '=', incident.id)
        .where('report_id', '=', report.id)
        .executeTakeFirst();
      if (existing && existing.unlinked_at === null) continue;
      if (existing) {
        await trx
          .updateTable('incident_reports')
          .set({ unlinked_at: null, unlinked_by_label: null, linked_by: actor.id, linked_by_label: actor.label, linked_at: now() })
          .where('incident_id', '=', incident.id)
          .where('report_id', '=', report.id)
          .execute();
      } else {
        await trx
          .insertInto('incident_reports')
          .values({ incident_id: incident.id, report_id: report.id, linked_by: actor.id, linked_by_label: actor.label })
          .execute();
      }
      await appendEvent(trx, incident.id, actor, kind, { reportId: report.id, reference: report.reference });
    }
    await trx
      .updateTable('reports')
      .set({ status: 'linked', updated_at: now() })
      .where('id', 'in', reportIds)
      .where('status', 'in', ['new', 'triaged'])
      .execute();
    // The first report of a phishing site starts its takedown clock.
    const earliest = reports.reduce<Date | null>((min, r) => (min === null || r.received_at < min ? r.received_at : min), null);
    if (earliest) {
      await trx
        .updateTable('incidents')
        .set({ first_reported_at: earliest, updated_at: now() })
        .where('id', '=', incident.id)
        .where((eb) => eb.or([eb('first_reported_at', 'is', null), eb('first_reported_at', '>', earliest)]))
        .execute();
    }
  }

  async function unlink(
    trx: Transaction<Schema>,
    ctx: RequestContext,
    incidentId: string,
    reportIds: readonly string[],
    kind: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    const actor = who(ctx);
    const moved = await trx
      .updateTable('incident_reports')
      .set({ unlinked_at: now(), unlinked_by_label: actor.label })
      .where('incident_id', '=', incidentId)
      .where('report_id', 'in', reportIds)
      .where('unlinked_at', 'is', null)
      .returning('report_id')
      .execute();
    for (const row of moved) await appendEvent(trx, incidentId, actor, kind, { reportId: row.report_id, ...data });
  }

  async function newIncident(
    trx: Transaction<Schema>,
    ctx: RequestContext,
    fields: { title: string; category: IncidentCategory; tlp?: TlpLevel | undefined; priority?: number | undefined },
    event: Record<string, unknown> = {},
  ): Promise<IncidentModel> {
    const reference = await nextReference(trx, 'INC', now());
    const row = await trx
      .insertInto('incidents')
      .values({
        reference,
        title: cleanText(fields.title, 500),
        category: fields.category,
        tlp: fields.tlp,
        priority: fields.priority,
        created_by: actorId(ctx.actor),
        assignee_id: null,
        due_at: null,
        merged_into: null,
        brand: null,
        brand_sector: null,
        brand_domestic: null,
        hosting_type: null,
        first_reported_at: null,
        site_down_at: null,
        closed_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const incident = incidentRowToModel(row);
    await appendEvent(trx, incident.id, who(ctx), 'created', { reference, title: incident.title, category: incident.category, ...event });
    await recordAudit(trx, ctx, { action: 'incident.create', targetType: 'incident', targetId: incident.id, after: incident });
    return incident;
  }

  return {
    ...coordinations,

    /**
     * Files a report from any channel: reference, observables (capped), the raw input, audit. Authorisation
     * is the channel's: the public form and the mail intake call it as anonymous or system.
     */
    async createReport(ctx: RequestContext, input: NewReport): Promise<CreatedReport> {
      if (ctx.actor.kind === 'user') incidentsPolicy.authorize(ctx.actor, 'reports.create');
      const warnings: string[] = [];
      const description = cleanText(input.description, 200_000);
      const extraction = extractObservables({ text: `${input.title}\n${description}`, items: input.observables ?? [] });
      if (extraction.dropped > 0)
        warnings.push(
          `The report names more than ${MAX_OBSERVABLES_PER_REPORT} distinct observables; the first ${MAX_OBSERVABLES_PER_REPORT} were kept and ${extraction.dropped} were not stored`,
        );
      for (const bad of extraction.invalid.slice(0, 20)) warnings.push(`Not an observable: "${bad.input.slice(0, 80)}" (${bad.error})`);
      if (extraction.invalid.length > 20) warnings.push(`… and ${extraction.invalid.length - 20} more items that are not observables`);

      let rawSha256: string | null = input.rawSha256 ?? null;
      let rawText: string | null = null;
      if (input.raw?.bytes && input.raw.bytes.length > 0) {
        rawSha256 = (await blobs.put(once(input.raw.bytes))).sha256;
        if (input.raw.bytes.length <= rawTextLimit) rawText = cleanText(input.raw.bytes.toString('utf8'), rawTextLimit);
      } else if (input.raw?.text) {
        if (Buffer.byteLength(input.raw.text) > rawTextLimit) rawSha256 = (await blobs.put(once(Buffer.from(input.raw.text)))).sha256;
        else rawText = cleanText(input.raw.text, rawTextLimit);
      }
      const token = input.withFollowUpToken ? randomBytes(24).toString('base64url') : null;
      const reporter = input.reporter ?? {};
      const created = await db.transaction().execute(async (trx) => {
        const reference = await nextReference(trx, 'IR', now());
        const row = await trx
          .insertInto('reports')
          .values({
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
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await insertObservables(trx, row.id, extraction.observables);
        await recordAudit(trx, ctx, {
          action: 'report.create',
          targetType: 'report',
          targetId: row.id,
          after: { reference, channel: input.channel, observables: extraction.observables.length, dropped: extraction.dropped },
        });
        return reportRowToModel(row);
      });
      return { report: created, followUpToken: token, observableCount: extraction.observables.length, observablesDropped: extraction.dropped, warnings };
    },

    async listReports(ctx: RequestContext, query: Parameters<typeof listReportsPage>[1]) {
      const page = await listReportsPage(db, query, incidentsPolicy.listScope(ctx.actor, 'reports.read'));
      return { items: page.rows.map((row) => ({ ...reportRowToModel(row), observableCount: row.observable_count })), total: page.total };
    },

    async getReport(ctx: RequestContext, id: string): Promise<ReportView & { lookup: LookupAnswer[] }> {
      incidentsPolicy.detailScope(ctx.actor, 'reports.read', () => new NotFoundError('report_not_found', 'No such report'));
      const view = await this.reportView(id);
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
      const row = await findReport(db, id);
      if (!row) throw new NotFoundError('report_not_found', 'No such report');
      const [observables, incidents, messages] = await Promise.all([
        observablesOf(db, [id]),
        db
          .selectFrom('incident_reports as l')
          .innerJoin('incidents as i', 'i.id', 'l.incident_id')
          .select(['i.id', 'i.reference', 'i.title', 'i.status'])
          .where('l.report_id', '=', id)
          .where('l.unlinked_at', 'is', null)
          .orderBy('i.created_at')
          .execute(),
        db.selectFrom('report_messages').select(['id', 'author', 'body', 'at']).where('report_id', '=', id).orderBy('id').execute(),
      ]);
      return { ...reportRowToModel(row), observables: observables.map(({ reportId: _, ...o }) => o), incidents, messages };
    },

    async updateReport(ctx: RequestContext, id: string, changes: UpdateReportRequest): Promise<ReportModel> {
      incidentsPolicy.authorize(ctx.actor, 'reports.write');
      return db.transaction().execute(async (trx) => {
        const before = await findReport(trx, id);
        if (!before) throw new NotFoundError('report_not_found', 'No such report');
        const row = await trx
          .updateTable('reports')
          .set({
            ...(changes.status ? { status: changes.status } : {}),
            ...(changes.priority ? { priority: changes.priority } : {}),
            ...(changes.tlp ? { tlp: changes.tlp } : {}),
            ...(changes.category !== undefined ? { category: changes.category } : {}),
            updated_at: now(),
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordAudit(trx, ctx, {
          action: 'report.update',
          targetType: 'report',
          targetId: id,
          before: { status: before.status, priority: before.priority, tlp: before.tlp, category: before.category },
          after: changes,
        });
        return reportRowToModel(row);
      });
    },

    /** Open incidents an analyst may want to link this report to: same URL, host or IP and category, recent. */
    async proposals(ctx: RequestContext, reportId: string): Promise<Proposal[]> {
      incidentsPolicy.detailScope(ctx.actor, 'reports.read', () => new NotFoundError('report_not_found', 'No such report'));
      const report = await findReport(db, reportId);
      if (!report) throw new NotFoundError('report_not_found', 'No such report');
      const rows = await matchingIncidents(db, reportId, report.category, new Date(report.received_at.getTime() - matchWindowMs));
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
      // The strongest first: a URL match beats a host match, more matches beat fewer.
      const weight = (p: Proposal) => p.matched.reduce((sum, m) => sum + (m.kind === 'url' ? 10 : 1), 0);
      return [...byIncident.values()].sort((a, b) => weight(b) - weight(a) || b.lastReportAt.getTime() - a.lastReportAt.getTime()).slice(0, 20);
    },

    /** A new incident from one or more reports; title and category default to the first report's. */
    async createIncident(ctx: RequestContext, input: CreateIncidentRequest): Promise<IncidentView> {
      incidentsPolicy.authorize(ctx.actor, 'incidents.write');
      const id = await db.transaction().execute(async (trx) => {
        const first = await findReport(trx, input.reportIds[0]!);
        if (!first) throw new NotFoundError('report_not_found', 'No such report');
        const incident = await newIncident(trx, ctx, {
          title: input.title ?? first.title,
          category: input.category ?? first.category ?? 'other',
          tlp: input.tlp ?? first.tlp,
          priority: input.priority ?? first.priority,
        });
        await link(trx, ctx, incident, input.reportIds);
        return incident.id;
      });
      return incidentView(db, id);
    },

    async getIncident(ctx: RequestContext, id: string): Promise<IncidentView> {
      incidentsPolicy.detailScope(ctx.actor, 'incidents.read', () => new NotFoundError('incident_not_found', 'No such incident'));
      return incidentView(db, id);
    },

    async listIncidents(
      ctx: RequestContext,
      query: {
        status?: IncidentModel['status'] | undefined;
        category?: IncidentCategory | undefined;
        assigneeId?: string | undefined;
        offset: number;
        limit: number;
      },
    ) {
      let base = db.selectFrom('incidents').where(scopeWhere(incidentsPolicy.listScope(ctx.actor, 'incidents.read')));
      if (query.status) base = base.where('status', '=', query.status);
      if (query.category) base = base.where('category', '=', query.category);
      if (query.assigneeId) base = base.where('assignee_id', '=', query.assigneeId);
      const [rows, count] = await Promise.all([
        base.selectAll().orderBy('priority').orderBy('created_at', 'desc').orderBy('id').offset(query.offset).limit(query.limit).execute(),
        base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(incidentRowToModel), total: Number(count.n) };
    },

    /** Category, TLP, priority, assignee, due time, status and the phishing detail; each change goes on the timeline. */
    async updateIncident(ctx: RequestContext, id: string, changes: UpdateIncidentRequest): Promise<IncidentView> {
      incidentsPolicy.authorize(ctx.actor, 'incidents.write');
      await db.transaction().execute(async (trx) => {
        const before = await loadIncident(trx, id);
        writable(before);
        if (changes.assigneeId) {
          const user = await trx.selectFrom('users').select('id').where('id', '=', changes.assigneeId).executeTakeFirst();
          if (!user) throw new BadRequestError('assignee_not_found', 'No such user to assign');
        }
        const date = (value: string | null | undefined) => (value === undefined ? undefined : value === null ? null : new Date(value));
        const set = {
          title: changes.title === undefined ? undefined : cleanText(changes.title, 500),
          category: changes.category,
          tlp: changes.tlp,
          priority: changes.priority,
          status: changes.status,
          assignee_id: changes.assigneeId,
          due_at: date(changes.dueAt),
          brand: changes.brand === undefined ? undefined : cleanOrNull(changes.brand, 200),
          brand_sector: changes.brandSector === undefined ? undefined : cleanOrNull(changes.brandSector, 100),
          brand_domestic: changes.brandDomestic,
          hosting_type: changes.hostingType === undefined ? undefined : cleanOrNull(changes.hostingType, 100),
          first_reported_at: date(changes.firstReportedAt),
          site_down_at: date(changes.siteDownAt),
          closed_at:
            changes.status === undefined ? undefined : changes.status === 'closed' || changes.status === 'resolved' ? (before.closedAt ?? now()) : null,
        };
        const defined = Object.fromEntries(Object.entries(set).filter(([, value]) => value !== undefined));
        const firstReported = set.first_reported_at !== undefined ? set.first_reported_at : before.firstReportedAt;
        const siteDown = set.site_down_at !== undefined ? set.site_down_at : before.siteDownAt;
        if (firstReported && siteDown && siteDown < firstReported)
          throw new BadRequestError('invalid_takedown', 'The site cannot go down before it was first reported');
        if (Object.keys(defined).length === 0) return;
        const row = await trx
          .updateTable('incidents')
          .set({ ...defined, updated_at: now() })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        const after = incidentRowToModel(row);
        const changed: Record<string, { from: unknown; to: unknown }> = {};
        for (const key of Object.keys(changes) as (keyof UpdateIncidentRequest)[]) {
          const from = before[key as keyof IncidentModel];
          const to = after[key as keyof IncidentModel];
          const same = from instanceof Date && to instanceof Date ? from.getTime() === to.getTime() : from === to;
          if (!same) changed[key] = { from, to };
        }
        if (Object.keys(changed).length > 0) {
          await appendEvent(trx, id, who(ctx), 'updated', { changes: changed });
          await recordAudit(trx, ctx, { action: 'incident.update', targetType: 'incident', targetId: id, before, after });
        }
      });
      return incidentView(db, id);
    },

    async linkReports(ctx: RequestContext, id: string, reportIds: readonly string[]): Promise<IncidentView> {
      incidentsPolicy.authorize(ctx.actor, 'incidents.write');
      await db.transaction().execute(async (trx) => {
        const incident = await loadIncident(trx, id);
        writable(incident);
        await link(trx, ctx, incident, reportIds);
        await recordAudit(trx, ctx, { action: 'incident.link_reports', targetType: 'incident', targetId: id, after: { reportIds } });
      });
      return incidentView(db, id);
    },

    /**
     * Folds one incident into another: its current reports and coordinations move, it keeps its rows,
     * its timeline and a `merged_into` pointer, and becomes read-only.
     */
    async mergeIncident(ctx: RequestContext, sourceId: string, targetId: string): Promise<IncidentView> {
      incidentsPolicy.authorize(ctx.actor, 'incidents.write');
      if (sourceId === targetId) throw new BadRequestError('merge_into_self', 'An incident cannot be merged into itself');
      await db.transaction().execute(async (trx) => {
        const source = await loadIncident(trx, sourceId);
        const target = await loadIncident(trx, targetId);
        writable(source);
        writable(target);
        const reportIds = await reportIdsOf(trx, sourceId);
        await unlink(trx, ctx, sourceId, reportIds, 'report_unlinked', { movedTo: target.reference });
        if (reportIds.length > 0) await link(trx, ctx, target, reportIds);
        const moved = await trx
          .updateTable('coordinations')
          .set({ incident_id: targetId, updated_at: now() })
          .where('incident_id', '=', sourceId)
          .returning(['id', 'thread_key'])
          .execute();
        await trx.updateTable('incidents').set({ status: 'merged', merged_into: targetId, updated_at: now() }).where('id', '=', sourceId).execute();
        await appendEvent(trx, sourceId, who(ctx), 'merged_into', {
          incidentId: targetId,
          reference: target.reference,
          reportIds,
          coordinations: moved.map((c) => c.thread_key),
        });
        await appendEvent(trx, targetId, who(ctx), 'merged_from', {
          incidentId: sourceId,
          reference: source.reference,
          reportIds,
          coordinations: moved.map((c) => c.thread_key),
        });
        await recordAudit(trx, ctx, {
          action: 'incident.merge',
          targetType: 'incident',
          targetId: sourceId,
          before: { status: source.status },
          after: { mergedInto: targetId, reportIds },
        });
      });
      return incidentView(db, targetId);
    },

    /** Moves some of an incident's reports into a new incident; both timelines say so. */
    async splitIncident(
      ctx: RequestContext,
      sourceId: string,
      input: { reportIds: readonly string[]; title?: string | undefined; category?: IncidentCategory | undefined },
    ): Promise<IncidentView> {
      incidentsPolicy.authorize(ctx.actor, 'incidents.write');
      const id = await db.transaction().execute(async (trx) => {
        const source = await loadIncident(trx, sourceId);
        writable(source);
        const current = new Set(await reportIdsOf(trx, sourceId));
        const missing = input.reportIds.filter((r) => !current.has(r));
        if (missing.length > 0) throw new BadRequestError('report_not_in_incident', `${missing.length} of the reports are not in ${source.reference}`);
        if (input.reportIds.length >= current.size)
          throw new BadRequestError('split_everything', 'A split must leave at least one report behind; change the incident instead');
        const created = await newIncident(
          trx,
          ctx,
          { title: input.title ?? source.title, category: input.category ?? source.category, tlp: source.tlp, priority: source.priority },
          { splitFrom: source.reference },
        );
        await unlink(trx, ctx, sourceId, input.reportIds, 'report_unlinked', { movedTo: created.reference });
        await link(trx, ctx, created, input.reportIds);
        await appendEvent(trx, sourceId, who(ctx), 'split_to', { incidentId: created.id, reference: created.reference, reportIds: input.reportIds });
        await appendEvent(trx, created.id, who(ctx), 'split_from', { incidentId: sourceId, reference: source.reference, reportIds: input.reportIds });
        await recordAudit(trx, ctx, {
          action: 'incident.split',
          targetType: 'incident',
          targetId: sourceId,
          after: { newIncidentId: created.id, reportIds: input.reportIds },
        });
        return created.id;
      });
      return incidentView(db, id);
    },

    async addNote(ctx: RequestContext, id: string, body: string): Promise<IncidentEventModel[]> {
      incidentsPolicy.authorize(ctx.actor, 'incidents.write');
      await db.transaction().execute(async (trx) => {
        await loadIncident(trx, id);
        await appendEvent(trx, id, who(ctx), 'note', { body: cleanText(body, 20_000) });
        await recordAudit(trx, ctx, { action: 'incident.note', targetType: 'incident', targetId: id });
      });
      return timelineOf(db, id);
    },

    async timeline(ctx: RequestContext, id: string): Promise<IncidentEventModel[]> {
      incidentsPolicy.detailScope(ctx.actor, 'incidents.read', () => new NotFoundError('incident_not_found', 'No such incident'));
      await loadIncident(db, id);
      return timelineOf(db, id);
    },

    /** The report a reporter may see, when the reference and token match (constant-time); else null. */
    async reportForReporter(reference: string, token: string): Promise<ReportView | null> {
      if (!/^IR-\d{4}-\d{6,}$/.test(reference) || token.length < 16 || token.length > 100) return null;
      const row = await db.selectFrom('reports').select(['id', 'follow_up_token_hash']).where('reference', '=', reference).executeTakeFirst();
      if (!row?.follow_up_token_hash) return null;
      const given = Buffer.from(hashToken(token), 'hex');
      const stored = Buffer.from(row.follow_up_token_hash, 'hex');
      if (given.length !== stored.length || !timingSafeEqual(given, stored)) return null;
      return this.reportView(row.id);
    },

    /** The reporter answers on the status page; the linked incidents' timelines get it too. */
    async reporterReply(reference: string, token: string, body: string, ip: string | null): Promise<ReportView | null> {
      const report = await this.reportForReporter(reference, token);
      if (!report) return null;
      const text = cleanText(body, 20_000).trim();
      if (!text) throw new BadRequestError('empty_message', 'The message is empty');
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('report_messages')
          .values({ report_id: report.id, author: 'reporter', author_id: null, body: text, mail_message_id: null })
          .execute();
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
      return this.reportView(report.id);
    },

    /** The team answers the reporter (shown on the status page). */
    async replyToReporter(ctx: RequestContext, reportId: string, body: string): Promise<ReportView> {
      incidentsPolicy.authorize(ctx.actor, 'reports.write');
      const report = await findReport(db, reportId);
      if (!report) throw new NotFoundError('report_not_found', 'No such report');
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('report_messages')
          .values({ report_id: reportId, author: 'team', author_id: actorId(ctx.actor), body: cleanText(body, 20_000), mail_message_id: null })
          .execute();
        await recordAudit(trx, ctx, { action: 'report.team_reply', targetType: 'report', targetId: reportId });
      });
      return this.reportView(reportId);
    },

    /**
     * The mail intake job: an inbound message becomes a report with its observables, or, in a
     * coordination's thread, an event on that incident, or, in a report's thread, the reporter's answer.
     * Idempotent: a message already turned into a report is left alone.
     */
    async intakeMail(messageId: string): Promise<{ outcome: 'report' | 'coordination' | 'reporter_reply' | 'skipped' | 'exists'; reference?: string }> {
      const ctx = systemContext('mail-intake');
      const existing = await db.selectFrom('reports').select('reference').where('mail_message_id', '=', messageId).executeTakeFirst();
      if (existing) return { outcome: 'exists', reference: existing.reference };
      // A second run (an at-least-once retry) must not record a reply twice either: each branch below checks its own link.
      const message = await mail.getMessage(ctx, messageId);
      if (message.direction !== 'inbound' || message.flags.some((f) => SKIPPED_FLAGS.includes(f))) return { outcome: 'skipped' };
      if (
        message.threadId &&
        (await coordinations.recordInbound({
          id: message.id,
          threadId: message.threadId,
          subject: message.subject,
          fromAddress: message.fromAddress,
          receivedAt: message.receivedAt,
        }))
      )
        return { outcome: 'coordination' };
      if (message.threadKey?.startsWith('IR-')) {
        const report = await db.selectFrom('reports').select(['id', 'reference']).where('reference', '=', message.threadKey).executeTakeFirst();
        if (report) {
          const recorded = await db.transaction().execute(async (trx) => {
            await trx.selectFrom('reports').select('id').where('id', '=', report.id).forUpdate().execute();
            const seen = await trx
              .selectFrom('report_messages')
              .select('id')
              .where('report_id', '=', report.id)
              .where('mail_message_id', '=', message.id)
              .executeTakeFirst();
            if (seen) return false;
            await trx
              .insertInto('report_messages')
              .values({
                report_id: report.id,
                author: 'reporter',
                author_id: null,
                body: cleanText(message.textBody || message.htmlText || '', 20_000),
                mail_message_id: message.id,
              })
              .execute();
            const links = await trx
              .selectFrom('incident_reports')
              .select('incident_id')
              .where('report_id', '=', report.id)
              .where('unlinked_at', 'is', null)
              .execute();
            for (const l of links)
              await appendEvent(trx, l.incident_id, { id: null, label: 'reporter' }, 'reporter_message', {
                reportId: report.id,
                reference: report.reference,
                mailMessageId: message.id,
              });
            return true;
          });
          return recorded ? { outcome: 'reporter_reply', reference: report.reference } : { outcome: 'exists' };
        }
      }
      const body = message.textBody || message.htmlText || '';
      const created = await this.createReport(ctx, {
        channel: 'email',
        title: message.subject || '(no subject)',
        description: body,
        tlp: (message.tlp ? parseTlp(message.tlp) : null) ?? undefined,
        reporter: {
          name: message.fromName ?? undefined,
          email: message.fromAddress ?? undefined,
          language: /[\u3040-\u30ff\u4e00-\u9fff]/.test(`${message.subject}${body.slice(0, 2000)}`) ? 'ja' : 'en',
        },
        rawSha256: message.rawSha256,
        raw: { contentType: 'message/rfc822' },
        mailMessageId: message.id,
        mailThreadId: message.threadId ?? undefined,
        clientAddress: null,
      });
      return { outcome: 'report', reference: created.report.reference };
    },
  };
}
