import type { Static } from '@renkei/contract';
import type {
  Coordination as CoordinationSchema,
  CoordinationState,
  CreateCoordinationRequest,
  Incident as IncidentSchema,
  IncidentCategory,
  IncidentEvent as IncidentEventSchema,
  IncidentStatus,
  MailMessageDetail,
  MailMessageSummary,
  Proposal as ProposalSchema,
  RenderedMail,
  ReportDetail as ReportDetailSchema,
  ReportStatus,
  ReportSummary as ReportSummarySchema,
  TlpLabel,
  TlpLevel,
  UpdateIncidentRequest,
  UpdateReportRequest,
} from '@renkei/contract';
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api.ts';

// Every text field in these shapes that came from a report or a party's mail is untrusted input:
// it is only ever rendered as React text.
export type ReportSummary = Static<typeof ReportSummarySchema>;
export type ReportDetail = Static<typeof ReportDetailSchema>;
export type Incident = Static<typeof IncidentSchema>;
export type IncidentSummary = Omit<Incident, 'reportIds'>;
export type IncidentEvent = Static<typeof IncidentEventSchema>;
export type Proposal = Static<typeof ProposalSchema>;
export type Coordination = Static<typeof CoordinationSchema>;

/** A party the lookup says can act on an incident's hosts (`GET /incidents/:id/parties`). */
export interface PartySuggestion {
  role: string;
  organisationId: string | null;
  name: string | null;
  email: string | null;
  country: string | null;
  for: string;
  source: string | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  nextOffset: number | null;
}

const id = (value: string) => encodeURIComponent(value);

/** The triage queue: by priority, then oldest first. @example await listReports({ status: 'new', offset: 0, limit: 25 }); */
export interface ReportListQuery {
  status?: ReportStatus | null;
  offset: number;
  limit: number;
}

export function listReports(query: ReportListQuery): Promise<Page<ReportSummary>> {
  const params = new URLSearchParams({ offset: String(query.offset), limit: String(query.limit) });
  if (query.status) params.set('status', query.status);
  return apiRequest('GET', `/reports?${params.toString()}`);
}

/** A report with observables, incidents, messages and the lookup answers. @example const report = await getReport(reportId); */
export function getReport(reportId: string): Promise<ReportDetail> {
  return apiRequest('GET', `/reports/${id(reportId)}`);
}

/** @example await updateReport(reportId, { status: 'discarded' }); */
export function updateReport(reportId: string, changes: UpdateReportRequest): Promise<ReportSummary> {
  return apiRequest('PATCH', `/reports/${id(reportId)}`, changes);
}

/** Answers the reporter (shown on the report's status page). @example await replyToReporter(reportId, 'Thank you'); */
export function replyToReporter(reportId: string, body: string): Promise<ReportDetail> {
  return apiRequest('POST', `/reports/${id(reportId)}/messages`, { body });
}

/** Open incidents matching the report's URL, host or IP and category. @example const proposals = await getProposals(reportId); */
export function getProposals(reportId: string): Promise<Proposal[]> {
  return apiRequest('GET', `/reports/${id(reportId)}/proposals`);
}

/** @example const incident = await createIncident({ reportIds: [reportId], category: 'phishing' }); */
export function createIncident(input: { reportIds: string[]; category?: IncidentCategory; title?: string }): Promise<Incident> {
  return apiRequest('POST', '/incidents', input);
}

/** @example await linkReports(incidentId, [reportId]); */
export function linkReports(incidentId: string, reportIds: string[]): Promise<Incident> {
  return apiRequest('POST', `/incidents/${id(incidentId)}/reports`, { reportIds });
}

/** @example await listIncidents({ status: 'open', offset: 0, limit: 50 }); */
export interface IncidentListQuery {
  status?: IncidentStatus | null;
  offset: number;
  limit: number;
}

export function listIncidents(query: IncidentListQuery): Promise<Page<IncidentSummary>> {
  const params = new URLSearchParams({ offset: String(query.offset), limit: String(query.limit) });
  if (query.status) params.set('status', query.status);
  return apiRequest('GET', `/incidents?${params.toString()}`);
}

/** @example const incident = await getIncident(incidentId); */
export function getIncident(incidentId: string): Promise<Incident> {
  return apiRequest('GET', `/incidents/${id(incidentId)}`);
}

/** @example await updateIncident(incidentId, { siteDownAt: new Date().toISOString() }); */
export function updateIncident(incidentId: string, changes: UpdateIncidentRequest): Promise<Incident> {
  return apiRequest('PATCH', `/incidents/${id(incidentId)}`, changes);
}

/** Every report link, message, state change and note, in order. @example await getTimeline(incidentId); */
export function getTimeline(incidentId: string): Promise<IncidentEvent[]> {
  return apiRequest('GET', `/incidents/${id(incidentId)}/timeline`);
}

/** @example await addNote(incidentId, 'Called the ISP'); */
export function addNote(incidentId: string, body: string): Promise<IncidentEvent[]> {
  return apiRequest('POST', `/incidents/${id(incidentId)}/notes`, { body });
}

/** @example await getParties(incidentId); */
export function getParties(incidentId: string): Promise<PartySuggestion[]> {
  return apiRequest('GET', `/incidents/${id(incidentId)}/parties`);
}

/** @example await listCoordinations(incidentId); */
export function listCoordinations(incidentId: string): Promise<Coordination[]> {
  return apiRequest('GET', `/incidents/${id(incidentId)}/coordinations`);
}

/** @example await createCoordination(incidentId, { role: 'isp', organisationId }); */
export function createCoordination(incidentId: string, input: CreateCoordinationRequest): Promise<Coordination> {
  return apiRequest('POST', `/incidents/${id(incidentId)}/coordinations`, input);
}

/** @example await transitionCoordination(coordinationId, 'acted'); */
export function transitionCoordination(coordinationId: string, state: CoordinationState, note?: string): Promise<Coordination> {
  return apiRequest('POST', `/coordinations/${id(coordinationId)}/transitions`, { state, ...(note ? { note } : {}) });
}

/** Mails the party in the coordination's thread; the server signs it, and encrypts when the party has a key. @example await sendCoordination(c.id, { subject, text }); */
export function sendCoordination(coordinationId: string, input: { subject: string; text: string; tlp?: TlpLevel }): Promise<Coordination> {
  return apiRequest('POST', `/coordinations/${id(coordinationId)}/messages`, input);
}

/** Coordinations waiting on a third party, overdue reminders first. @example await listWaiting(); */
export function listWaiting(): Promise<Coordination[]> {
  return apiRequest('GET', '/coordinations/waiting');
}

/**
 * The notification template rendered for the party in its language with the incident's TLP label.
 * @example await renderNotification({ language: 'ja', tlp: 'TLP:AMBER', variables: { name: 'ISP', reference: 'INC-1', summary: 'URL' } });
 */
export function renderNotification(input: {
  language: 'ja' | 'en';
  tlp: TlpLabel;
  variables: { name: string; reference: string; summary: string };
}): Promise<RenderedMail> {
  return apiRequest('POST', '/mail/templates/incident-notification/preview', input);
}

/** A coordination's mail thread, both ways, with bodies (threads are short). @example await threadMessages(threadId); */
export async function threadMessages(threadId: string): Promise<MailMessageDetail[]> {
  const page = await apiRequest<Page<MailMessageSummary>>('GET', `/mail/messages?threadId=${id(threadId)}&direction=all&offset=0&limit=50`);
  return Promise.all(page.items.map((m) => apiRequest<MailMessageDetail>('GET', `/mail/messages/${id(m.id)}`)));
}

/**
 * Query keys of this feature. Reports, incidents and coordinations change each other (linking a report
 * moves it out of the queue, a sent mail moves a coordination to waiting), so every change here
 * refreshes everything under `all`.
 */
export const incidentsKeys = {
  all: ['incidents'] as const,
  reports: (query: ReportListQuery) => ['incidents', 'reports', query] as const,
  report: (reportId: string) => ['incidents', 'report', reportId] as const,
  proposals: (reportId: string) => ['incidents', 'report', reportId, 'proposals'] as const,
  incidents: (query: IncidentListQuery) => ['incidents', 'list', query] as const,
  incident: (incidentId: string) => ['incidents', 'incident', incidentId] as const,
  timeline: (incidentId: string) => ['incidents', 'incident', incidentId, 'timeline'] as const,
  coordinations: (incidentId: string) => ['incidents', 'incident', incidentId, 'coordinations'] as const,
  parties: (incidentId: string) => ['incidents', 'incident', incidentId, 'parties'] as const,
  waiting: ['incidents', 'waiting'] as const,
  thread: (threadId: string) => ['incidents', 'thread', threadId] as const,
};

/** @example const { data } = useReports({ status: 'new', offset: 0, limit: 25 }); */
export function useReports(query: ReportListQuery) {
  return useQuery({ queryKey: incidentsKeys.reports(query), queryFn: () => listReports(query), placeholderData: keepPreviousData });
}

/** @example const { data } = useReport(reportId); */
export function useReport(reportId: string) {
  return useQuery({ queryKey: incidentsKeys.report(reportId), queryFn: () => getReport(reportId) });
}

/** @example const { data } = useProposals(reportId); */
export function useProposals(reportId: string) {
  return useQuery({ queryKey: incidentsKeys.proposals(reportId), queryFn: () => getProposals(reportId) });
}

/** @example const { data } = useIncidents({ status: 'open', offset: 0, limit: 25 }); */
export function useIncidents(query: IncidentListQuery) {
  return useQuery({ queryKey: incidentsKeys.incidents(query), queryFn: () => listIncidents(query), placeholderData: keepPreviousData });
}

/** @example const { data } = useIncident(incidentId); */
export function useIncident(incidentId: string) {
  return useQuery({ queryKey: incidentsKeys.incident(incidentId), queryFn: () => getIncident(incidentId) });
}

/** The reports of an incident, each its own cached query; `data` once all have arrived. @example useReportsOf(incident.reportIds) */
export function useReportsOf(reportIds: readonly string[]) {
  return useQueries({
    queries: reportIds.map((reportId) => ({ queryKey: incidentsKeys.report(reportId), queryFn: () => getReport(reportId) })),
    combine: (results) => ({
      data: results.every((result) => result.data !== undefined) ? results.flatMap((result) => (result.data ? [result.data] : [])) : undefined,
      error: results.find((result) => result.error !== null)?.error ?? null,
    }),
  });
}

/** @example const { data } = useTimeline(incidentId); */
export function useTimeline(incidentId: string) {
  return useQuery({ queryKey: incidentsKeys.timeline(incidentId), queryFn: () => getTimeline(incidentId) });
}

/** @example const { data } = useCoordinations(incidentId); */
export function useCoordinations(incidentId: string) {
  return useQuery({ queryKey: incidentsKeys.coordinations(incidentId), queryFn: () => listCoordinations(incidentId) });
}

/** @example const { data } = useParties(incidentId); */
export function useParties(incidentId: string) {
  return useQuery({ queryKey: incidentsKeys.parties(incidentId), queryFn: () => getParties(incidentId) });
}

/** @example const { data } = useWaiting(); */
export function useWaiting() {
  return useQuery({ queryKey: incidentsKeys.waiting, queryFn: listWaiting });
}

/** A coordination's thread; `updatedAt` is part of the key, so a changed coordination reads its thread again. */
export function useThreadMessages(threadId: string | null, updatedAt: string) {
  return useQuery({
    queryKey: [...incidentsKeys.thread(threadId ?? ''), updatedAt],
    queryFn: () => threadMessages(threadId ?? ''),
    enabled: threadId !== null,
  });
}

/** A change in this feature that, once done, refreshes every incidents query on screen. */
function useIncidentsMutation<TInput, TResult>(mutationFn: (input: TInput) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => queryClient.invalidateQueries({ queryKey: incidentsKeys.all }) });
}

export const useUpdateReport = (reportId: string) => useIncidentsMutation((changes: UpdateReportRequest) => updateReport(reportId, changes));
export const useReplyToReporter = (reportId: string) => useIncidentsMutation((body: string) => replyToReporter(reportId, body));
export const useCreateIncident = () => useIncidentsMutation(createIncident);
export const useLinkReports = () =>
  useIncidentsMutation(({ incidentId, reportIds }: { incidentId: string; reportIds: string[] }) => linkReports(incidentId, reportIds));
export const useUpdateIncident = (incidentId: string) => useIncidentsMutation((changes: UpdateIncidentRequest) => updateIncident(incidentId, changes));
export const useAddNote = (incidentId: string) => useIncidentsMutation((body: string) => addNote(incidentId, body));
export const useCreateCoordination = (incidentId: string) => useIncidentsMutation((input: CreateCoordinationRequest) => createCoordination(incidentId, input));
export const useTransitionCoordination = () =>
  useIncidentsMutation(({ coordinationId, state }: { coordinationId: string; state: CoordinationState }) => transitionCoordination(coordinationId, state));
export const useSendCoordination = () =>
  useIncidentsMutation(({ coordinationId, ...input }: { coordinationId: string; subject: string; text: string; tlp?: TlpLevel }) =>
    sendCoordination(coordinationId, input),
  );
/** Renders a draft; changes nothing on the server, so it refreshes nothing. */
export const useRenderNotification = () => useMutation({ mutationFn: renderNotification });
