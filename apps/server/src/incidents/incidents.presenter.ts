import type { Static } from '@sinclair/typebox';
import type {
  Coordination,
  CreateReportResponse,
  Incident,
  IncidentEvent,
  LookupAnswer,
  Proposal as ProposalSchema,
  ReportDetail,
  ReportSummary,
} from '@renkei/contract';
import type { IncidentView } from './incident-links.ts';
import type { CoordinationModel, IncidentEventModel, IncidentModel, ReportModel } from './incidents.repository.ts';
import type { CreatedReport, Proposal, ReportView } from './reports.service.ts';

// The incidents API's output: one function per response shape, typed against the contract, so the
// compiler checks every field the API answers (dates as ISO 8601 strings).

const iso = (value: Date): string => value.toISOString();
const isoOrNull = (value: Date | null): string | null => (value === null ? null : value.toISOString());

/** A report in the triage queue (and after a change). */
export function presentReportSummary(report: ReportModel, observableCount: number): Static<typeof ReportSummary> {
  return {
    id: report.id,
    reference: report.reference,
    channel: report.channel,
    status: report.status,
    priority: report.priority,
    tlp: report.tlp,
    category: report.category,
    title: report.title,
    reporterName: report.reporterName,
    reporterEmail: report.reporterEmail,
    reporterOrganisation: report.reporterOrganisation,
    receivedAt: iso(report.receivedAt),
    observableCount,
  };
}

/** A report with its observables, incidents, messages and lookup answers. */
export function presentReportDetail(view: ReportView, lookup: readonly LookupAnswer[]): Static<typeof ReportDetail> {
  return {
    ...presentReportSummary(view, view.observables.length),
    description: view.description,
    rawText: view.rawText,
    rawSha256: view.rawSha256,
    contentType: view.contentType,
    reporterLanguage: view.reporterLanguage,
    observablesDropped: view.observablesDropped,
    observables: view.observables.map((o) => ({ id: o.id, kind: o.kind, value: o.value, display: o.display, original: o.original })),
    incidents: view.incidents.map((i) => ({ id: i.id, reference: i.reference, title: i.title, status: i.status })),
    messages: view.messages.map((m) => ({ id: m.id, author: m.author, body: m.body, at: iso(m.at) })),
    lookup: [...lookup],
  };
}

/** The answer to a filed report: its reference and what became of its observables. */
export function presentCreatedReport(result: CreatedReport): Static<typeof CreateReportResponse> {
  return {
    id: result.report.id,
    reference: result.report.reference,
    observableCount: result.observableCount,
    observablesDropped: result.observablesDropped,
    warnings: result.warnings,
  };
}

/** An incident in a list (without its report IDs). */
export function presentIncidentSummary(incident: IncidentModel): Omit<Static<typeof Incident>, 'reportIds'> {
  return {
    id: incident.id,
    reference: incident.reference,
    title: incident.title,
    category: incident.category,
    rsit: incident.rsit,
    tlp: incident.tlp,
    priority: incident.priority,
    status: incident.status,
    assigneeId: incident.assigneeId,
    dueAt: isoOrNull(incident.dueAt),
    mergedInto: incident.mergedInto,
    brand: incident.brand,
    brandSector: incident.brandSector,
    brandDomestic: incident.brandDomestic,
    hostingType: incident.hostingType,
    firstReportedAt: isoOrNull(incident.firstReportedAt),
    siteDownAt: isoOrNull(incident.siteDownAt),
    takedownSeconds: incident.takedownSeconds,
    createdAt: iso(incident.createdAt),
    updatedAt: iso(incident.updatedAt),
    closedAt: isoOrNull(incident.closedAt),
  };
}

/** An incident with its report IDs. */
export function presentIncident(view: IncidentView): Static<typeof Incident> {
  return { ...presentIncidentSummary(view), reportIds: view.reportIds };
}

/** One timeline event. */
export function presentEvent(event: IncidentEventModel): Static<typeof IncidentEvent> {
  return { id: event.id, kind: event.kind, actorId: event.actorId, actorLabel: event.actorLabel, at: iso(event.at), data: event.data };
}

/** An open incident proposed for a report, with what matched. */
export function presentProposal(proposal: Proposal): Static<typeof ProposalSchema> {
  const { incident } = proposal;
  return {
    incident: { id: incident.id, reference: incident.reference, title: incident.title, category: incident.category, status: incident.status },
    matched: proposal.matched.map((m) => ({ kind: m.kind, value: m.value })),
    lastReportAt: iso(proposal.lastReportAt),
  };
}

/** A coordination with a party. */
export function presentCoordination(c: CoordinationModel): Static<typeof Coordination> {
  return {
    id: c.id,
    incidentId: c.incidentId,
    threadKey: c.threadKey,
    organisationId: c.organisationId,
    contactName: c.contactName,
    contactEmail: c.contactEmail,
    role: c.role,
    state: c.state,
    country: c.country,
    language: c.language,
    mailThreadId: c.mailThreadId,
    nextReminderAt: isoOrNull(c.nextReminderAt),
    remindersSent: c.remindersSent,
    escalatedFrom: c.escalatedFrom,
    notes: c.notes,
    sentAt: isoOrNull(c.sentAt),
    acknowledgedAt: isoOrNull(c.acknowledgedAt),
    actedAt: isoOrNull(c.actedAt),
    closedAt: isoOrNull(c.closedAt),
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}
