import type {
  CaseDetail,
  CaseStatus,
  CaseSummary,
  CaseVulnerability,
  Embargo,
  EmbargoDecision,
  SetStatusesRequest,
  Static,
  VendorStatusRow,
  VulnerabilityReportDetail,
  VulnerabilityReportStatus,
  VulnerabilityReportSummary,
  CreateVulnerabilityRequest,
} from '@renkei/contract';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api.ts';

// Every text in these shapes that came from a finder, a vendor or a partner is untrusted input: it is
// only ever rendered as React text.
export type { CaseDetail, CaseSummary, CaseVulnerability, Embargo, VendorStatusRow, VulnerabilityReportDetail, VulnerabilityReportSummary };
export type StatusEntry = SetStatusesRequest['statuses'][number];
export type NewVulnerability = Static<typeof CreateVulnerabilityRequest>;

export interface Page<T> {
  items: T[];
  total: number;
  nextOffset: number | null;
}

const id = (value: string) => encodeURIComponent(value);

export interface ReportListQuery {
  status?: VulnerabilityReportStatus | null;
  offset: number;
  limit: number;
}

/** Finders' reports, newest first. @example await listVulnerabilityReports({ status: 'new', offset: 0, limit: 25 }); */
export function listVulnerabilityReports(query: ReportListQuery): Promise<Page<VulnerabilityReportSummary>> {
  const params = new URLSearchParams({ offset: String(query.offset), limit: String(query.limit) });
  if (query.status) params.set('status', query.status);
  return apiRequest('GET', `/vulnerability-reports?${params.toString()}`);
}

/** @example const report = await getVulnerabilityReport(reportId); */
export function getVulnerabilityReport(reportId: string): Promise<VulnerabilityReportDetail> {
  return apiRequest('GET', `/vulnerability-reports/${id(reportId)}`);
}

export interface AcceptInput {
  title?: string;
  titleJa?: string;
  multiParty?: boolean;
}

/** Opens a case from the report; the finder is told. @example const { id } = await acceptVulnerabilityReport(reportId, { multiParty: true }); */
export function acceptVulnerabilityReport(reportId: string, input: AcceptInput): Promise<{ id: string; reference: string }> {
  return apiRequest('POST', `/vulnerability-reports/${id(reportId)}/accept`, input);
}

/** @example await declineVulnerabilityReport(reportId, 'Not a vulnerability: the behaviour is documented'); */
export function declineVulnerabilityReport(reportId: string, reason: string): Promise<void> {
  return apiRequest('POST', `/vulnerability-reports/${id(reportId)}/decline`, { reason });
}

export interface CaseListQuery {
  status?: CaseStatus | null;
  q?: string;
  offset: number;
  limit: number;
}

/** Cases the viewer may see, most recently modified first. @example await listCases({ q: 'router', offset: 0, limit: 50 }); */
export function listCases(query: CaseListQuery): Promise<Page<CaseSummary>> {
  const params = new URLSearchParams({ offset: String(query.offset), limit: String(query.limit) });
  if (query.status) params.set('status', query.status);
  if (query.q?.trim()) params.set('q', query.q.trim());
  return apiRequest('GET', `/cases?${params.toString()}`);
}

/** The case as the server lets this viewer see it. @example const detail = await getCase(caseId); */
export function getCase(caseId: string): Promise<CaseDetail> {
  return apiRequest('GET', `/cases/${id(caseId)}`);
}

/** @example await addVendor(caseId, organisationId); */
export function addVendor(caseId: string, organisationId: string): Promise<{ participantId: string }> {
  return apiRequest('POST', `/cases/${id(caseId)}/vendors`, { organisationId });
}

/** Shares the case with a participant (its users see it from now; a vendor is notified). @example await shareWithParticipant(caseId, participantId); */
export function shareWithParticipant(caseId: string, participantId: string): Promise<void> {
  return apiRequest('POST', `/cases/${id(caseId)}/participants/${id(participantId)}/share`);
}

/** @example await addVulnerability(caseId, { title: 'Stored XSS', cweId: 'CWE-79' }); */
export function addVulnerability(caseId: string, input: NewVulnerability): Promise<CaseVulnerability> {
  return apiRequest('POST', `/cases/${id(caseId)}/vulnerabilities`, input);
}

/** @example await setStatuses(caseId, [{ vulnerabilityId, status: 'vulnerable' }]); */
export function setStatuses(caseId: string, statuses: StatusEntry[]): Promise<VendorStatusRow[]> {
  return apiRequest('PUT', `/cases/${id(caseId)}/statuses`, { statuses });
}

/** Proposes a publication instant (ISO 8601 UTC, whole minutes). @example await proposeEmbargo(caseId, '2027-01-15T01:00:00Z', ''); */
export function proposeEmbargo(caseId: string, releaseAt: string, reason: string): Promise<Embargo> {
  return apiRequest('POST', `/cases/${id(caseId)}/embargo`, { releaseAt, ...(reason.trim() ? { reason: reason.trim() } : {}) });
}

/** @example await decideEmbargo(caseId, embargoId, 'accepted'); */
export function decideEmbargo(caseId: string, embargoId: string, decision: EmbargoDecision): Promise<Embargo> {
  return apiRequest('POST', `/cases/${id(caseId)}/embargo/${id(embargoId)}/decision`, { decision });
}

export const vulnerabilitiesKeys = {
  all: ['vulnerabilities'] as const,
  reports: (query: ReportListQuery) => ['vulnerabilities', 'reports', query] as const,
  report: (reportId: string) => ['vulnerabilities', 'report', reportId] as const,
  cases: (query: CaseListQuery) => ['vulnerabilities', 'cases', query] as const,
  case: (caseId: string) => ['vulnerabilities', 'case', caseId] as const,
};

export function useVulnerabilityReports(query: ReportListQuery) {
  return useQuery({ queryKey: vulnerabilitiesKeys.reports(query), queryFn: () => listVulnerabilityReports(query), placeholderData: keepPreviousData });
}

export function useVulnerabilityReport(reportId: string) {
  return useQuery({ queryKey: vulnerabilitiesKeys.report(reportId), queryFn: () => getVulnerabilityReport(reportId) });
}

export function useCases(query: CaseListQuery) {
  return useQuery({ queryKey: vulnerabilitiesKeys.cases(query), queryFn: () => listCases(query), placeholderData: keepPreviousData });
}

/** The case page's one query: the matrix, participants and embargoes all come from it (no per-cell queries). */
export function useCase(caseId: string) {
  return useQuery({ queryKey: vulnerabilitiesKeys.case(caseId), queryFn: () => getCase(caseId) });
}

function useVulnerabilitiesMutation<TInput, TOutput>(mutationFn: (input: TInput) => Promise<TOutput>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => queryClient.invalidateQueries({ queryKey: vulnerabilitiesKeys.all }) });
}

export const useAcceptReport = (reportId: string) => useVulnerabilitiesMutation((input: AcceptInput) => acceptVulnerabilityReport(reportId, input));
export const useDeclineReport = (reportId: string) => useVulnerabilitiesMutation((reason: string) => declineVulnerabilityReport(reportId, reason));
export const useAddVendor = (caseId: string) => useVulnerabilitiesMutation((organisationId: string) => addVendor(caseId, organisationId));
export const useShare = (caseId: string) => useVulnerabilitiesMutation((participantId: string) => shareWithParticipant(caseId, participantId));
export const useAddVulnerability = (caseId: string) => useVulnerabilitiesMutation((input: NewVulnerability) => addVulnerability(caseId, input));
export const useSetStatuses = (caseId: string) => useVulnerabilitiesMutation((statuses: StatusEntry[]) => setStatuses(caseId, statuses));
export const useProposeEmbargo = (caseId: string) =>
  useVulnerabilitiesMutation((input: { releaseAt: string; reason: string }) => proposeEmbargo(caseId, input.releaseAt, input.reason));
export const useDecideEmbargo = (caseId: string) =>
  useVulnerabilitiesMutation((input: { embargoId: string; decision: EmbargoDecision }) => decideEmbargo(caseId, input.embargoId, input.decision));
