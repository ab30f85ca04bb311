import type { OrganisationDetail, OrganisationKind, OrganisationSummary, PgpKey } from '@renkei/contract';
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
export function searchOrganisations(query: { q?: string; kind?: OrganisationKind | null; offset?: number }): Promise<OrganisationPage> {
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
