import { type Insertable, type Kysely, type Selectable, type Transaction, type Updateable, sql } from 'kysely';
import { ALL, type Scope, scopeWhere } from '../policy/scope.ts';
import { CATEGORY_TO_RSIT, type IncidentCategory } from '@renkei/contract';
import type { Schema } from '../db/schema/index.ts';
import type { CoordinationsTable, IncidentEventsTable, IncidentsTable, ObservablesTable, ReportsTable } from '../db/schema/incidents.ts';
import type { ExtractedObservable } from './observables.ts';

export type ReportRow = Selectable<ReportsTable>;
export type IncidentRow = Selectable<IncidentsTable>;
export type CoordinationRow = Selectable<CoordinationsTable>;

export interface ReportModel {
  id: string;
  reference: string;
  channel: ReportRow['channel'];
  status: ReportRow['status'];
  priority: number;
  tlp: ReportRow['tlp'];
  category: ReportRow['category'];
  title: string;
  description: string;
  rawSha256: string | null;
  rawText: string | null;
  contentType: string | null;
  reporterName: string | null;
  reporterEmail: string | null;
  reporterOrganisation: string | null;
  reporterLanguage: 'ja' | 'en' | null;
  mailThreadId: string | null;
  observablesDropped: number;
  receivedAt: Date;
  updatedAt: Date;
}

export type ObservableModel = Pick<Selectable<ObservablesTable>, 'id' | 'kind' | 'value' | 'display' | 'original'>;

export interface IncidentModel {
  id: string;
  reference: string;
  title: string;
  category: IncidentCategory;
  rsit: string;
  tlp: IncidentRow['tlp'];
  priority: number;
  status: IncidentRow['status'];
  assigneeId: string | null;
  dueAt: Date | null;
  mergedInto: string | null;
  brand: string | null;
  brandSector: string | null;
  brandDomestic: boolean | null;
  hostingType: string | null;
  firstReportedAt: Date | null;
  siteDownAt: Date | null;
  /** site_down_at − first_reported_at in seconds; NULL while either is unknown. */
  takedownSeconds: number | null;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
}

export interface CoordinationModel {
  id: string;
  incidentId: string;
  threadKey: string;
  organisationId: string | null;
  contactName: string | null;
  contactEmail: string | null;
  role: CoordinationRow['role'];
  state: CoordinationRow['state'];
  country: string | null;
  language: 'ja' | 'en';
  mailThreadId: string | null;
  nextReminderAt: Date | null;
  remindersSent: number;
  escalatedFrom: string | null;
  notes: string | null;
  sentAt: Date | null;
  acknowledgedAt: Date | null;
  actedAt: Date | null;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type IncidentEventModel = Omit<Selectable<IncidentEventsTable>, 'incident_id' | 'actor_id' | 'actor_label'> & {
  actorId: string | null;
  actorLabel: string;
};

export function reportRowToModel(row: ReportRow): ReportModel {
  return {
    id: row.id,
    reference: row.reference,
    channel: row.channel,
    status: row.status,
    priority: row.priority,
    tlp: row.tlp,
    category: row.category,
    title: row.title,
    description: row.description,
    rawSha256: row.raw_sha256,
    rawText: row.raw_text,
    contentType: row.content_type,
    reporterName: row.reporter_name,
    reporterEmail: row.reporter_email,
    reporterOrganisation: row.reporter_organisation,
    reporterLanguage: row.reporter_language,
    mailThreadId: row.mail_thread_id,
    observablesDropped: row.observables_dropped,
    receivedAt: row.received_at,
    updatedAt: row.updated_at,
  };
}

export function incidentRowToModel(row: IncidentRow): IncidentModel {
  return {
    id: row.id,
    reference: row.reference,
    title: row.title,
    category: row.category,
    rsit: CATEGORY_TO_RSIT[row.category],
    tlp: row.tlp,
    priority: row.priority,
    status: row.status,
    assigneeId: row.assignee_id,
    dueAt: row.due_at,
    mergedInto: row.merged_into,
    brand: row.brand,
    brandSector: row.brand_sector,
    brandDomestic: row.brand_domestic,
    hostingType: row.hosting_type,
    firstReportedAt: row.first_reported_at,
    siteDownAt: row.site_down_at,
    takedownSeconds: row.first_reported_at && row.site_down_at ? Math.round((row.site_down_at.getTime() - row.first_reported_at.getTime()) / 1000) : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    closedAt: row.closed_at,
  };
}

export function coordinationRowToModel(row: CoordinationRow): CoordinationModel {
  return {
    id: row.id,
    incidentId: row.incident_id,
    threadKey: row.thread_key,
    organisationId: row.organisation_id,
    contactName: row.contact_name,
    contactEmail: row.contact_email,
    role: row.role,
    state: row.state,
    country: row.country,
    language: row.language,
    mailThreadId: row.mail_thread_id,
    nextReminderAt: row.next_reminder_at,
    remindersSent: row.reminders_sent,
    escalatedFrom: row.escalated_from,
    notes: row.notes,
    sentAt: row.sent_at,
    acknowledgedAt: row.acknowledged_at,
    actedAt: row.acted_at,
    closedAt: row.closed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The next reference for a prefix and year (`IR-2026-000123`). One row per (prefix, year) is bumped under
 * its row lock, so references are unique and ordered; a rolled-back transaction gives its number back.
 * @example await nextReference(trx, 'IR', new Date()) // 'IR-2026-000001'
 */
export async function nextReference(db: Kysely<Schema>, prefix: 'IR' | 'INC', at: Date): Promise<string> {
  const year = at.getUTCFullYear();
  const row = await db
    .insertInto('incident_reference_counters')
    .values({ prefix, year, value: 1 })
    .onConflict((oc) => oc.columns(['prefix', 'year']).doUpdateSet((eb) => ({ value: eb('incident_reference_counters.value', '+', 1) })))
    .returning('value')
    .executeTakeFirstOrThrow();
  return `${prefix}-${year}-${String(row.value).padStart(6, '0')}`;
}

/** Stores a report's observables in one statement (arrays through unnest: one round trip for thousands). */
export async function insertObservables(db: Kysely<Schema>, reportId: string, observables: readonly ExtractedObservable[]): Promise<void> {
  if (observables.length === 0) return;
  await sql`
    INSERT INTO observables (report_id, kind, value, display, original)
    SELECT ${reportId}::uuid, kind, value, display, original
    FROM unnest(${observables.map((o) => o.kind)}::text[], ${observables.map((o) => o.value)}::text[], ${observables.map((o) => o.display)}::text[], ${observables.map((o) => o.original)}::text[]) AS t(kind, value, display, original)
    ON CONFLICT (report_id, kind, value) DO NOTHING
  `.execute(db);
}

export async function findReport(db: Kysely<Schema>, id: string): Promise<ReportRow | undefined> {
  return db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function observablesOf(db: Kysely<Schema>, reportIds: readonly string[]): Promise<(ObservableModel & { reportId: string })[]> {
  if (reportIds.length === 0) return [];
  const rows = await db
    .selectFrom('observables')
    .select(['id', 'report_id', 'kind', 'value', 'display', 'original'])
    .where('report_id', 'in', reportIds)
    .orderBy('id')
    .execute();
  return rows.map(({ report_id, ...rest }) => ({ ...rest, reportId: report_id }));
}

export interface TriagePageQuery {
  status?: ReportRow['status'] | undefined;
  channel?: ReportRow['channel'] | undefined;
  offset: number;
  limit: number;
}

/**
 * The triage queue: by priority (1 first), then oldest first; one page and the total. The
 * `reports_triage (status, priority, received_at, id)` index serves the order for a status filter.
 */
export async function listReportsPage(
  db: Kysely<Schema>,
  query: TriagePageQuery,
  scope: Scope = ALL,
): Promise<{ rows: (ReportRow & { observable_count: number })[]; total: number }> {
  let base = db.selectFrom('reports').where(scopeWhere(scope));
  if (query.status) base = base.where('status', '=', query.status);
  if (query.channel) base = base.where('channel', '=', query.channel);
  const [rows, count] = await Promise.all([
    base
      .selectAll('reports')
      .select((eb) =>
        eb.selectFrom('observables').select(eb.fn.countAll<number>().as('n')).whereRef('observables.report_id', '=', 'reports.id').as('observable_count'),
      )
      .orderBy('priority')
      .orderBy('received_at')
      .orderBy('id')
      .offset(query.offset)
      .limit(query.limit)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map((row) => ({ ...row, observable_count: Number(row.observable_count ?? 0) })), total: Number(count.total) };
}

export async function findIncident(db: Kysely<Schema>, id: string): Promise<IncidentRow | undefined> {
  return db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function reportIdsOf(db: Kysely<Schema>, incidentId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('incident_reports as l')
    .innerJoin('reports as r', 'r.id', 'l.report_id')
    .select('l.report_id')
    .where('l.incident_id', '=', incidentId)
    .where('l.unlinked_at', 'is', null)
    .orderBy('r.received_at')
    .execute();
  return rows.map((row) => row.report_id);
}

/** Appends to an incident's timeline. */
export async function appendEvent(
  db: Kysely<Schema>,
  incidentId: string,
  actor: { id: string | null; label: string },
  kind: string,
  data: Record<string, unknown> = {},
): Promise<void> {
  await db
    .insertInto('incident_events')
    .values({ incident_id: incidentId, kind, actor_id: actor.id, actor_label: actor.label, data: JSON.stringify(data) })
    .execute();
}

export async function timelineOf(db: Kysely<Schema>, incidentId: string): Promise<IncidentEventModel[]> {
  const rows = await db.selectFrom('incident_events').selectAll().where('incident_id', '=', incidentId).orderBy('id').execute();
  return rows.map((row) => ({ id: row.id, kind: row.kind, actorId: row.actor_id, actorLabel: row.actor_label, at: row.at, data: row.data }));
}

/**
 * Open incidents that share a URL, host or IP with the report and have its category (any category when
 * the report has none), with a linked report received within the window. Merged incidents are skipped.
 */
export async function matchingIncidents(db: Kysely<Schema>, reportId: string, category: IncidentCategory | null, since: Date) {
  const rows = await db
    .selectFrom('observables as mine')
    .innerJoin('observables as other', (join) => join.onRef('other.kind', '=', 'mine.kind').onRef('other.value', '=', 'mine.value'))
    .innerJoin('incident_reports as l', 'l.report_id', 'other.report_id')
    .innerJoin('reports as r', 'r.id', 'other.report_id')
    .innerJoin('incidents as i', 'i.id', 'l.incident_id')
    .select(['i.id', 'i.reference', 'i.title', 'i.category', 'i.status', 'mine.kind', 'mine.value', 'r.received_at'])
    .where('mine.report_id', '=', reportId)
    .where('other.report_id', '!=', reportId)
    .where('mine.kind', 'in', ['url', 'domain', 'ip'])
    .where('l.unlinked_at', 'is', null)
    .where('i.status', 'not in', ['merged', 'closed'])
    .where('r.received_at', '>=', since)
    .$if(category !== null, (qb) => qb.where('i.category', '=', category!))
    .limit(2000)
    .execute();
  return rows;
}

export async function insertIncident(trx: Transaction<Schema>, values: Insertable<IncidentsTable>): Promise<IncidentModel> {
  return incidentRowToModel(await trx.insertInto('incidents').values(values).returningAll().executeTakeFirstOrThrow());
}

export async function updateIncidentRow(trx: Transaction<Schema>, id: string, set: Updateable<IncidentsTable>): Promise<IncidentModel> {
  return incidentRowToModel(await trx.updateTable('incidents').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow());
}

export interface IncidentPageQuery {
  status?: IncidentModel['status'] | undefined;
  category?: IncidentCategory | undefined;
  assigneeId?: string | undefined;
  offset: number;
  limit: number;
}

/** Incidents by priority, newest first; one page and the total. */
export async function listIncidentsPage(db: Kysely<Schema>, query: IncidentPageQuery, scope: Scope): Promise<{ items: IncidentModel[]; total: number }> {
  let base = db.selectFrom('incidents').where(scopeWhere(scope));
  if (query.status) base = base.where('status', '=', query.status);
  if (query.category) base = base.where('category', '=', query.category);
  if (query.assigneeId) base = base.where('assignee_id', '=', query.assigneeId);
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('priority').orderBy('created_at', 'desc').orderBy('id').offset(query.offset).limit(query.limit).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(incidentRowToModel), total: Number(count.n) };
}

/** Whether a user may be named as an assignee (the user exists). */
export async function userExists(trx: Transaction<Schema>, userId: string): Promise<boolean> {
  return (await trx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst()) !== undefined;
}

export async function reportsForLink(trx: Transaction<Schema>, reportIds: readonly string[]): Promise<{ id: string; reference: string; received_at: Date }[]> {
  return trx.selectFrom('reports').select(['id', 'reference', 'received_at']).where('id', 'in', reportIds).execute();
}

/**
 * Links one report to an incident: a new link, or a former one made current again. Answers false when
 * the report is linked already (nothing changes).
 */
export async function linkReport(
  trx: Transaction<Schema>,
  incidentId: string,
  reportId: string,
  actor: { id: string | null; label: string },
  at: Date,
): Promise<boolean> {
  const existing = await trx
    .selectFrom('incident_reports')
    .select('unlinked_at')
    .where('incident_id', '=', incidentId)
    .where('report_id', '=', reportId)
    .executeTakeFirst();
  if (existing && existing.unlinked_at === null) return false;
  if (existing) {
    await trx
      .updateTable('incident_reports')
      .set({ unlinked_at: null, unlinked_by_label: null, linked_by: actor.id, linked_by_label: actor.label, linked_at: at })
      .where('incident_id', '=', incidentId)
      .where('report_id', '=', reportId)
      .execute();
  } else {
    await trx
      .insertInto('incident_reports')
      .values({ incident_id: incidentId, report_id: reportId, linked_by: actor.id, linked_by_label: actor.label })
      .execute();
  }
  return true;
}

/** Reports still new or triaged become linked. */
export async function markReportsLinked(trx: Transaction<Schema>, reportIds: readonly string[], at: Date): Promise<void> {
  await trx.updateTable('reports').set({ status: 'linked', updated_at: at }).where('id', 'in', reportIds).where('status', 'in', ['new', 'triaged']).execute();
}

/** Moves an incident's first report time back to `earliest` when that is earlier (or none was known). */
export async function startTakedownClock(trx: Transaction<Schema>, incidentId: string, earliest: Date, at: Date): Promise<void> {
  await trx
    .updateTable('incidents')
    .set({ first_reported_at: earliest, updated_at: at })
    .where('id', '=', incidentId)
    .where((eb) => eb.or([eb('first_reported_at', 'is', null), eb('first_reported_at', '>', earliest)]))
    .execute();
}

/** Ends the current links of some reports to an incident; answers the reports unlinked. */
export async function unlinkReports(trx: Transaction<Schema>, incidentId: string, reportIds: readonly string[], label: string, at: Date): Promise<string[]> {
  const rows = await trx
    .updateTable('incident_reports')
    .set({ unlinked_at: at, unlinked_by_label: label })
    .where('incident_id', '=', incidentId)
    .where('report_id', 'in', reportIds)
    .where('unlinked_at', 'is', null)
    .returning('report_id')
    .execute();
  return rows.map((row) => row.report_id);
}

/** Moves every coordination of one incident to another; answers their thread keys. */
export async function moveCoordinations(trx: Transaction<Schema>, fromId: string, toId: string, at: Date): Promise<string[]> {
  const rows = await trx
    .updateTable('coordinations')
    .set({ incident_id: toId, updated_at: at })
    .where('incident_id', '=', fromId)
    .returning(['id', 'thread_key'])
    .execute();
  return rows.map((row) => row.thread_key);
}

export async function markMerged(trx: Transaction<Schema>, sourceId: string, targetId: string, at: Date): Promise<void> {
  await trx.updateTable('incidents').set({ status: 'merged', merged_into: targetId, updated_at: at }).where('id', '=', sourceId).execute();
}
