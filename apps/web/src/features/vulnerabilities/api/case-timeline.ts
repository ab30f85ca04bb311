import type { CaseTimeline } from '@renkei/contract';
import { useQuery } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api.ts';
import { vulnerabilitiesKeys } from './vulnerabilities.ts';

export type { CaseTimeline };
export type CaseTimelineEntry = CaseTimeline['items'][number];

/** The case's events, newest first (team). @example const { items } = await getCaseTimeline(caseId); */
export function getCaseTimeline(caseId: string): Promise<CaseTimeline> {
  return apiRequest('GET', `/cases/${encodeURIComponent(caseId)}/timeline`);
}

/** Under the case's key, so whatever refreshes the case refreshes its timeline too. */
export function useCaseTimeline(caseId: string, modifiedAt: string) {
  return useQuery({ queryKey: [...vulnerabilitiesKeys.case(caseId), 'timeline', modifiedAt], queryFn: () => getCaseTimeline(caseId) });
}
