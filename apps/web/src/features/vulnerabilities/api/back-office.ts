import type {
  AddParticipantRequest,
  AssignedCve,
  CaseDashboard,
  ContactAttempt,
  ContactChannel,
  ContactOutcome,
  CreateVendorProductRequest,
  CvePoolSummary,
  Static,
  UnreachableDeveloper,
  UpdateVendorProductRequest,
  VendorProduct,
  VendorProposalList,
} from '@renkei/contract';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { API_BASE, apiRequest } from '../../../lib/api.ts';
import { type Page, vulnerabilitiesKeys } from './vulnerabilities.ts';

// The coordinator's back office of cases: the product-developer registry and its proposals, the CVE pool,
// contact attempts and unreachable developers, the dates dashboard. Vendor and product names, keywords and
// notes are untrusted input (vendors keep their own products): rendered only as React text.
export type { CaseDashboard, ContactAttempt, CreateVendorProductRequest, UpdateVendorProductRequest, VendorProduct, VendorProposalList };
export type UnreachableDeveloperRow = Static<typeof UnreachableDeveloper>;
export type AssignedCveAnswer = Static<typeof AssignedCve>;
export type CvePool = Static<typeof CvePoolSummary>;

const id = (value: string) => encodeURIComponent(value);

export interface VendorProductQuery {
  q?: string;
  offset: number;
  limit: number;
}

/** Products of the registry by name. @example await listVendorProducts({ q: 'router', offset: 0, limit: 50 }); */
export function listVendorProducts(query: VendorProductQuery): Promise<Page<VendorProduct>> {
  const params = new URLSearchParams({ offset: String(query.offset), limit: String(query.limit) });
  if (query.q?.trim()) params.set('q', query.q.trim());
  return apiRequest('GET', `/vendor-products?${params.toString()}`);
}

/** @example await createVendorProduct({ organisationId, name: 'Acme Router', cpes: ['cpe:2.3:h:acme:router:*:*:*:*:*:*:*:*'] }); */
export function createVendorProduct(input: CreateVendorProductRequest): Promise<VendorProduct> {
  return apiRequest('POST', '/vendor-products', input);
}

/** The fields given replace the stored ones. @example await updateVendorProduct(productId, { keywords: ['router'] }); */
export function updateVendorProduct(productId: string, input: UpdateVendorProductRequest): Promise<VendorProduct> {
  return apiRequest('PATCH', `/vendor-products/${id(productId)}`, input);
}

/** @example await deleteVendorProduct(productId); */
export function deleteVendorProduct(productId: string): Promise<void> {
  return apiRequest('DELETE', `/vendor-products/${id(productId)}`);
}

/** Vendors the registry proposes for the case, with the reasons; vendors already on it are left out. @example await getVendorProposals(caseId); */
export function getVendorProposals(caseId: string): Promise<VendorProposalList> {
  return apiRequest('GET', `/cases/${id(caseId)}/vendor-proposals`);
}

/** @example const { free, nextFree } = await getCvePool(); */
export function getCvePool(): Promise<CvePool> {
  return apiRequest('GET', '/cve-pool');
}

/** The lowest free CVE ID of the pool (409 cve_pool_empty when none is left). @example await assignCve(caseId, vulnerabilityId); */
export function assignCve(caseId: string, vulnerabilityId: string): Promise<AssignedCveAnswer> {
  return apiRequest('POST', `/cases/${id(caseId)}/vulnerabilities/${id(vulnerabilityId)}/cve`);
}

/** A partner coordinator (a csirt) or the finder's organisation. @example await addParticipant(caseId, { role: 'coordinator', organisationId }); */
export function addParticipant(caseId: string, input: AddParticipantRequest): Promise<{ participantId: string }> {
  return apiRequest('POST', `/cases/${id(caseId)}/participants`, input);
}

const attemptsPath = (caseId: string, participantId: string) => `/cases/${id(caseId)}/participants/${id(participantId)}`;

/** Every recorded attempt to reach the vendor, oldest first. @example await listContactAttempts(caseId, participantId); */
export function listContactAttempts(caseId: string, participantId: string): Promise<{ items: ContactAttempt[] }> {
  return apiRequest('GET', `${attemptsPath(caseId, participantId)}/contact-attempts`);
}

export interface NewContactAttempt {
  channel: ContactChannel;
  outcome: ContactOutcome;
  note?: string;
  /** ISO 8601; now when left out. */
  attemptedAt?: string;
}

/** @example await recordContactAttempt(caseId, participantId, { channel: 'phone', outcome: 'no_answer' }); */
export function recordContactAttempt(caseId: string, participantId: string, input: NewContactAttempt): Promise<ContactAttempt> {
  return apiRequest('POST', `${attemptsPath(caseId, participantId)}/contact-attempts`, input);
}

/** @example await declareUnreachable(caseId, participantId); */
export function declareUnreachable(caseId: string, participantId: string): Promise<{ unreachableAt: string }> {
  return apiRequest('POST', `${attemptsPath(caseId, participantId)}/unreachable`);
}

/** Puts the developer on the public list; the case may be published without it after the wait. @example await announceUnreachable(caseId, participantId); */
export function announceUnreachable(caseId: string, participantId: string): Promise<UnreachableDeveloperRow> {
  return apiRequest('POST', `${attemptsPath(caseId, participantId)}/unreachable/publish`, {});
}

/** @example const { items } = await listUnreachableDevelopers(); */
export function listUnreachableDevelopers(): Promise<{ items: UnreachableDeveloperRow[] }> {
  return apiRequest('GET', '/unreachable-developers');
}

/** @example const { openCases, quarters } = await getCaseDashboard(); */
export function getCaseDashboard(): Promise<CaseDashboard> {
  return apiRequest('GET', '/cases/dashboard');
}

/** The dashboard's CSV downloads, as the server offers them. */
export const dashboardCsvUrl = (table: 'cases' | 'quarters') => `${API_BASE}/cases/dashboard?format=csv&table=${table}`;

export const backOfficeKeys = {
  products: (query: VendorProductQuery) => ['vulnerabilities', 'vendor-products', query] as const,
  proposals: (caseId: string) => ['vulnerabilities', 'vendor-proposals', caseId] as const,
  cvePool: ['vulnerabilities', 'cve-pool'] as const,
  attempts: (caseId: string, participantId: string) => ['vulnerabilities', 'contact-attempts', caseId, participantId] as const,
  unreachable: ['vulnerabilities', 'unreachable-developers'] as const,
  dashboard: ['vulnerabilities', 'dashboard'] as const,
};

export const useVendorProducts = (query: VendorProductQuery) =>
  useQuery({ queryKey: backOfficeKeys.products(query), queryFn: () => listVendorProducts(query), placeholderData: keepPreviousData });
export const useVendorProposals = (caseId: string) => useQuery({ queryKey: backOfficeKeys.proposals(caseId), queryFn: () => getVendorProposals(caseId) });
export const useCvePool = () => useQuery({ queryKey: backOfficeKeys.cvePool, queryFn: getCvePool });
export const useContactAttempts = (caseId: string, participantId: string) =>
  useQuery({ queryKey: backOfficeKeys.attempts(caseId, participantId), queryFn: () => listContactAttempts(caseId, participantId) });
export const useUnreachableDevelopers = () => useQuery({ queryKey: backOfficeKeys.unreachable, queryFn: listUnreachableDevelopers });
export const useCaseDashboard = () => useQuery({ queryKey: backOfficeKeys.dashboard, queryFn: getCaseDashboard });

/** Every back-office change may move a case, a proposal, the pool or a list: all vulnerability queries are refreshed. */
function useBackOfficeMutation<TInput, TOutput>(mutationFn: (input: TInput) => Promise<TOutput>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => queryClient.invalidateQueries({ queryKey: vulnerabilitiesKeys.all }) });
}

export const useCreateVendorProduct = () => useBackOfficeMutation(createVendorProduct);
export const useUpdateVendorProduct = () =>
  useBackOfficeMutation((input: { productId: string; changes: UpdateVendorProductRequest }) => updateVendorProduct(input.productId, input.changes));
export const useDeleteVendorProduct = () => useBackOfficeMutation(deleteVendorProduct);
export const useAssignCve = (caseId: string) => useBackOfficeMutation((vulnerabilityId: string) => assignCve(caseId, vulnerabilityId));
export const useAddParticipant = (caseId: string) => useBackOfficeMutation((input: AddParticipantRequest) => addParticipant(caseId, input));
export const useRecordContactAttempt = (caseId: string, participantId: string) =>
  useBackOfficeMutation((input: NewContactAttempt) => recordContactAttempt(caseId, participantId, input));
export const useDeclareUnreachable = (caseId: string, participantId: string) => useBackOfficeMutation(() => declareUnreachable(caseId, participantId));
export const useAnnounceUnreachable = (caseId: string, participantId: string) => useBackOfficeMutation(() => announceUnreachable(caseId, participantId));
