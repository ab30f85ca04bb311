import type { Kysely, Transaction } from 'kysely';
import type { IncidentCategory, TlpLevel } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { ConflictError, NotFoundError } from '../kernel/errors.ts';
import { cleanText } from '../kernel/text.ts';
import { type RequestContext, actorId, actorLabel } from '../policy/actor.ts';
import {
  type IncidentModel,
  appendEvent,
  findIncident,
  incidentRowToModel,
  insertIncident,
  linkReport,
  markReportsLinked,
  nextReference,
  reportIdsOf,
  reportsForLink,
  startTakedownClock,
  unlinkReports,
} from './incidents.repository.ts';

// The steps the incident operations share: load, guard, link and unlink reports, open a new incident.

export interface IncidentView extends IncidentModel {
  reportIds: string[];
}

export const who = (ctx: RequestContext) => ({ id: actorId(ctx.actor), label: actorLabel(ctx.actor) });

export async function loadIncident(executor: Kysely<Schema>, id: string): Promise<IncidentModel> {
  const row = await findIncident(executor, id);
  if (!row) throw new NotFoundError('incident_not_found', 'No such incident');
  return incidentRowToModel(row);
}

export async function incidentView(executor: Kysely<Schema>, id: string): Promise<IncidentView> {
  const incident = await loadIncident(executor, id);
  return { ...incident, reportIds: await reportIdsOf(executor, id) };
}

export function writable(incident: IncidentModel): void {
  if (incident.status === 'merged') throw new ConflictError('incident_merged', `This incident was merged into another; change that one instead`);
}

/** Links reports to an incident (idempotent), marks them linked, and writes the timeline. */
export async function link(
  trx: Transaction<Schema>,
  ctx: RequestContext,
  now: () => Date,
  incident: IncidentModel,
  reportIds: readonly string[],
  kind = 'report_linked',
): Promise<void> {
  const actor = who(ctx);
  const reports = await reportsForLink(trx, reportIds);
  if (reports.length !== new Set(reportIds).size) throw new NotFoundError('report_not_found', 'One of the reports does not exist');
  for (const report of reports) {
    if (!(await linkReport(trx, incident.id, report.id, actor, now()))) continue;
    await appendEvent(trx, incident.id, actor, kind, { reportId: report.id, reference: report.reference });
  }
  await markReportsLinked(trx, reportIds, now());
  // The first report of a phishing site starts its takedown clock.
  const earliest = reports.reduce<Date | null>((min, r) => (min === null || r.received_at < min ? r.received_at : min), null);
  if (earliest) await startTakedownClock(trx, incident.id, earliest, now());
}

export async function unlink(
  trx: Transaction<Schema>,
  ctx: RequestContext,
  now: () => Date,
  incidentId: string,
  reportIds: readonly string[],
  kind: string,
  data: Record<string, unknown>,
): Promise<void> {
  const actor = who(ctx);
  const moved = await unlinkReports(trx, incidentId, reportIds, actor.label, now());
  for (const reportId of moved) await appendEvent(trx, incidentId, actor, kind, { reportId, ...data });
}

export async function newIncident(
  trx: Transaction<Schema>,
  ctx: RequestContext,
  now: () => Date,
  fields: { title: string; category: IncidentCategory; tlp?: TlpLevel | undefined; priority?: number | undefined },
  event: Record<string, unknown> = {},
): Promise<IncidentModel> {
  const reference = await nextReference(trx, 'INC', now());
  const incident = await insertIncident(trx, {
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
  });
  await appendEvent(trx, incident.id, who(ctx), 'created', { reference, title: incident.title, category: incident.category, ...event });
  await recordAudit(trx, ctx, { action: 'incident.create', targetType: 'incident', targetId: incident.id, after: incident });
  return incident;
}
