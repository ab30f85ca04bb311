import type {
  AddressDeliveryStatus,
  CreateNetworkRequest,
  CreateOrganisationRequest,
  CreatePersonRequest,
  DirectoryImportReport,
  Network,
  Organisation,
  OrganisationDetail,
  OrganisationKind,
  OrganisationSummary,
  Person,
  PgpKey,
  UpdateOrganisationRequest,
} from '@renkei/contract';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api.ts';

export interface OrganisationPage {
  items: OrganisationSummary[];
  total: number;
  nextOffset: number | null;
}

/**
 * Searches the directory by name (en/ja), AS number, IP address or prefix, domain or e-mail address.
 * @example const page = await searchOrganisations({ q: 'AS64500' });
 */
export interface OrganisationSearch {
  q?: string;
  kind?: OrganisationKind | null;
  offset?: number;
}

export function searchOrganisations(query: OrganisationSearch): Promise<OrganisationPage> {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.kind) params.set('kind', query.kind);
  params.set('offset', String(query.offset ?? 0));
  params.set('limit', '50');
  return apiRequest<OrganisationPage>('GET', `/contacts/organisations?${params.toString()}`);
}

/** One organisation with its people, networks and keys. @example const detail = await getOrganisation(id); */
export function getOrganisation(id: string): Promise<OrganisationDetail> {
  return apiRequest<OrganisationDetail>('GET', `/contacts/organisations/${encodeURIComponent(id)}`);
}

/** Imports armored public keys, attached to an organisation when given. @example await importKeys(armored, orgId); */
export function importKeys(armored: string, organisationId: string | null): Promise<{ keys: PgpKey[]; created: number; updated: number }> {
  return apiRequest('POST', '/contacts/keys', { armored, ...(organisationId ? { organisationId } : {}) });
}

/** Keys with a warning (expired, expiring, revoked, wrong address, cannot encrypt). @example const keys = await unhealthyKeys(); */
export function unhealthyKeys(): Promise<PgpKey[]> {
  return apiRequest<PgpKey[]>('GET', '/contacts/keys?unhealthy=true');
}

/** `GET /contacts/people/:id`: a person with their organisation, their own keys and what DSNs said about their address. */
export interface PersonDetail {
  person: Person;
  organisation: Organisation;
  keys: PgpKey[];
  deliveryStatus: AddressDeliveryStatus[];
}

/** One person (or role address). @example const detail = await getPerson(id); */
export function getPerson(id: string): Promise<PersonDetail> {
  return apiRequest<PersonDetail>('GET', `/contacts/people/${encodeURIComponent(id)}`);
}

/** Creates an organisation. @example const org = await createOrganisation({ name: 'Example ISP', kind: 'isp' }); */
export function createOrganisation(input: CreateOrganisationRequest): Promise<Organisation> {
  return apiRequest<Organisation>('POST', '/contacts/organisations', input);
}

/** Changes an organisation. @example await updateOrganisation(id, { tlpCeiling: 'amber' }); */
export function updateOrganisation(id: string, patch: UpdateOrganisationRequest): Promise<Organisation> {
  return apiRequest<Organisation>('PATCH', `/contacts/organisations/${encodeURIComponent(id)}`, patch);
}

/** Adds a person or role address. @example await createPerson(orgId, { name: 'Abuse desk', isRoleAddress: true }); */
export function createPerson(organisationId: string, input: CreatePersonRequest): Promise<Person> {
  return apiRequest<Person>('POST', `/contacts/organisations/${encodeURIComponent(organisationId)}/people`, input);
}

/** Removes a person. @example await deletePerson(id); */
export function deletePerson(id: string): Promise<void> {
  return apiRequest<void>('DELETE', `/contacts/people/${encodeURIComponent(id)}`);
}

/** Adds an AS number, prefix or domain; the server names what is wrong with a bad one. @example await addNetwork(orgId, { value: '192.0.2.0/24' }); */
export function addNetwork(organisationId: string, input: CreateNetworkRequest): Promise<Network> {
  return apiRequest<Network>('POST', `/contacts/organisations/${encodeURIComponent(organisationId)}/networks`, input);
}

/** Removes a network resource. @example await deleteNetwork(id); */
export function deleteNetwork(id: string): Promise<void> {
  return apiRequest<void>('DELETE', `/contacts/networks/${encodeURIComponent(id)}`);
}

/** Imports organisations and networks from CSV: a dry run unless `commit`. @example const plan = await importCsv(text, false); */
export function importCsv(csv: string, commit: boolean): Promise<DirectoryImportReport> {
  return apiRequest<DirectoryImportReport>('POST', '/contacts/import/csv', { csv, commit });
}

/** Query keys of this feature: every change to the directory refreshes everything under `all`. */
export const contactsKeys = {
  all: ['contacts'] as const,
  search: (query: OrganisationSearch) => ['contacts', 'organisations', query] as const,
  organisation: (id: string) => ['contacts', 'organisation', id] as const,
  person: (id: string) => ['contacts', 'person', id] as const,
  unhealthyKeys: ['contacts', 'keys', 'unhealthy'] as const,
};

/** The directory search; the last page stays on screen while the next one loads. @example const page = useOrganisationSearch({ q }); */
export function useOrganisationSearch(query: OrganisationSearch) {
  return useQuery({ queryKey: contactsKeys.search(query), queryFn: () => searchOrganisations(query), placeholderData: keepPreviousData });
}

/** @example const { data } = useOrganisation(id); */
export function useOrganisation(id: string) {
  return useQuery({ queryKey: contactsKeys.organisation(id), queryFn: () => getOrganisation(id) });
}

/** @example const { data } = usePerson(id); */
export function usePerson(id: string) {
  return useQuery({ queryKey: contactsKeys.person(id), queryFn: () => getPerson(id) });
}

/** @example const { data } = useUnhealthyKeys(); */
export function useUnhealthyKeys() {
  return useQuery({ queryKey: contactsKeys.unhealthyKeys, queryFn: unhealthyKeys });
}

/** A change to the directory that, once done, refreshes every directory query on screen. */
function useContactsMutation<TInput, TResult>(mutationFn: (input: TInput) => Promise<TResult>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => queryClient.invalidateQueries({ queryKey: contactsKeys.all }) });
}

/** Creates an organisation, or changes one when `id` is given. @example save.mutate({ id: null, fields }); */
export const useSaveOrganisation = () =>
  useContactsMutation(({ id, fields }: { id: string | null; fields: CreateOrganisationRequest & UpdateOrganisationRequest }) =>
    id === null ? createOrganisation(fields) : updateOrganisation(id, fields),
  );
export const useCreatePerson = (organisationId: string) => useContactsMutation((input: CreatePersonRequest) => createPerson(organisationId, input));
export const useDeletePerson = () => useContactsMutation(deletePerson);
export const useAddNetwork = (organisationId: string) => useContactsMutation((input: CreateNetworkRequest) => addNetwork(organisationId, input));
export const useDeleteNetwork = () => useContactsMutation(deleteNetwork);
export const useImportKeys = () =>
  useContactsMutation(({ armored, organisationId }: { armored: string; organisationId: string | null }) => importKeys(armored, organisationId));
export const useImportCsv = () => useContactsMutation(({ csv, commit }: { csv: string; commit: boolean }) => importCsv(csv, commit));
