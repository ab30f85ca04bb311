import type { Kysely } from 'kysely';
import type { CreateIncidentRequest, IncidentCategory, UpdateIncidentRequest } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { BadRequestError, NotFoundError } from '../kernel/errors.ts';
import { cleanText } from '../kernel/text.ts';
import type { RequestContext } from '../policy/actor.ts';
import { type IncidentView, incidentView, link, loadIncident, newIncident, unlink, who, writable } from './incident-links.ts';
import { incidentsPolicy } from './incidents.policy.ts';
import {
  type IncidentEventModel,
  type IncidentModel,
  type IncidentPageQuery,
  appendEvent,
  findReport,
  listIncidentsPage,
  markMerged,
  moveCoordinations,
  reportIdsOf,
  timelineOf,
  updateIncidentRow,
  userExists,
} from './incidents.repository.ts';
import { cleanOrNull } from './reports.service.ts';

export interface IncidentRecordsDeps {
  db: Kysely<Schema>;
  now: () => Date;
}

const date = (value: string | null | undefined) => (value === undefined ? undefined : value === null ? null : new Date(value));

/** The columns an update sets (undefined = unchanged). */
function columnsOf(changes: UpdateIncidentRequest, before: IncidentModel, now: () => Date) {
  return {
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
    closed_at: changes.status === undefined ? undefined : changes.status === 'closed' || changes.status === 'resolved' ? (before.closedAt ?? now()) : null,
  };
}

/** What an update changed, field by field (dates compared by time). */
function changedFields(changes: UpdateIncidentRequest, before: IncidentModel, after: IncidentModel): Record<string, { from: unknown; to: unknown }> {
  const changed: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(changes) as (keyof UpdateIncidentRequest)[]) {
    const from = before[key as keyof IncidentModel];
    const to = after[key as keyof IncidentModel];
    const same = from instanceof Date && to instanceof Date ? from.getTime() === to.getTime() : from === to;
    if (!same) changed[key] = { from, to };
  }
  return changed;
}

/**
 * Incidents: create from reports, read, list, change, link reports, notes and the timeline.
 * @example const records = createIncidentRecords({ db, now }); await records.createIncident(ctx, { reportIds: [reportId] });
 */
export function createIncidentRecords(deps: IncidentRecordsDeps) {
  const { db, now } = deps;
  return {
    /** A new incident from one or more reports; title and category default to the first report's. */
    async createIncident(ctx: RequestContext, input: CreateIncidentRequest): Promise<IncidentView> {
      incidentsPolicy.authorize(ctx.actor, 'incidents.write');
      const id = await db.transaction().execute(async (trx) => {
        const first = await findReport(trx, input.reportIds[0]!);
        if (!first) throw new NotFoundError('report_not_found', 'No such report');
        const incident = await newIncident(trx, ctx, now, {
          title: input.title ?? first.title,
          category: input.category ?? first.category ?? 'other',
          tlp: input.tlp ?? first.tlp,
          priority: input.priority ?? first.priority,
        });
        await link(trx, ctx, now, incident, input.reportIds);
        return incident.id;
      });
      return incidentView(db, id);
    },

    async getIncident(ctx: RequestContext, id: string): Promise<IncidentView> {
      incidentsPolicy.detailScope(ctx.actor, 'incidents.read', () => new NotFoundError('incident_not_found', 'No such incident'));
      return incidentView(db, id);
    },

    async listIncidents(ctx: RequestContext, query: IncidentPageQuery) {
      return listIncidentsPage(db, query, incidentsPolicy.listScope(ctx.actor, 'incidents.read'));
    },

    /** Category, TLP, priority, assignee, due time, status and the phishing detail; each change goes on the timeline. */
    async updateIncident(ctx: RequestContext, id: string, changes: UpdateIncidentRequest): Promise<IncidentView> {
      incidentsPolicy.authorize(ctx.actor, 'incidents.write');
      await db.transaction().execute(async (trx) => {
        const before = await loadIncident(trx, id);
        writable(before);
        if (changes.assigneeId && !(await userExists(trx, changes.assigneeId))) throw new BadRequestError('assignee_not_found', 'No such user to assign');
        const set = columnsOf(changes, before, now);
        const defined = Object.fromEntries(Object.entries(set).filter(([, value]) => value !== undefined));
        const firstReported = set.first_reported_at !== undefined ? set.first_reported_at : before.firstReportedAt;
        const siteDown = set.site_down_at !== undefined ? set.site_down_at : before.siteDownAt;
        if (firstReported && siteDown && siteDown < firstReported)
          throw new BadRequestError('invalid_takedown', 'The site cannot go down before it was first reported');
        if (Object.keys(defined).length === 0) return;
        const after = await updateIncidentRow(trx, id, { ...defined, updated_at: now() });
        const changed = changedFields(changes, before, after);
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
        await link(trx, ctx, now, incident, reportIds);
        await recordAudit(trx, ctx, { action: 'incident.link_reports', targetType: 'incident', targetId: id, after: { reportIds } });
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
  };
}

/**
 * Merge and split: reports (and coordinations) move between incidents; both timelines say so.
 * @example const ms = createIncidentMergeSplit({ db, now }); await ms.mergeIncident(ctx, sourceId, targetId);
 */
export function createIncidentMergeSplit(deps: IncidentRecordsDeps) {
  const { db, now } = deps;
  return {
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
        await unlink(trx, ctx, now, sourceId, reportIds, 'report_unlinked', { movedTo: target.reference });
        if (reportIds.length > 0) await link(trx, ctx, now, target, reportIds);
        const coordinations = await moveCoordinations(trx, sourceId, targetId, now());
        await markMerged(trx, sourceId, targetId, now());
        await appendEvent(trx, sourceId, who(ctx), 'merged_into', { incidentId: targetId, reference: target.reference, reportIds, coordinations });
        await appendEvent(trx, targetId, who(ctx), 'merged_from', { incidentId: sourceId, reference: source.reference, reportIds, coordinations });
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
          now,
          { title: input.title ?? source.title, category: input.category ?? source.category, tlp: source.tlp, priority: source.priority },
          { splitFrom: source.reference },
        );
        await unlink(trx, ctx, now, sourceId, input.reportIds, 'report_unlinked', { movedTo: created.reference });
        await link(trx, ctx, now, created, input.reportIds);
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
  };
}
