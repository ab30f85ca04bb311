import type {
  AdvisoryContent,
  AdvisoryPreview,
  AdvisoryRevision,
  AdvisorySections,
  AdvisoryView,
  Publication,
  ReleaseEarlyRequest,
  ReviseAdvisoryRequest,
} from '@renkei/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { ApiError, apiRequest } from '../../../lib/api.ts';
import { vulnerabilitiesKeys } from './vulnerabilities.ts';

// An advisory's text was written by the team, but its vendor table, statements and credit came from
// vendors and finders: untrusted input, only ever rendered as React text (never as HTML or a link
// other than an http(s) reference).
export type { AdvisoryContent, AdvisoryPreview, AdvisoryRevision, AdvisorySections, AdvisoryView, Publication };
export type AdvisoryRevisionSummary = AdvisoryView['revisions'][number];

const id = (value: string) => encodeURIComponent(value);

/** The latest revision and every revision (team). @example const view = await getAdvisory(caseId); */
export function getAdvisory(caseId: string): Promise<AdvisoryView> {
  return apiRequest('GET', `/cases/${id(caseId)}/advisory`);
}

/** One revision with its content, as it was saved (team). @example const first = await getRevision(caseId, 1); */
export function getRevision(caseId: string, number: number): Promise<AdvisoryRevision> {
  return apiRequest('GET', `/cases/${id(caseId)}/advisory/revisions/${number}`);
}

/** A draft generated from the case as it stands, as a new revision. @example await draftAdvisory(caseId); */
export function draftAdvisory(caseId: string): Promise<AdvisoryView> {
  return apiRequest('POST', `/cases/${id(caseId)}/advisory`);
}

/** Saves edited sections as a new revision. @example await reviseAdvisory(caseId, { content, note: 'impact written' }); */
export function reviseAdvisory(caseId: string, input: ReviseAdvisoryRequest): Promise<AdvisoryRevision> {
  return apiRequest('POST', `/cases/${id(caseId)}/advisory/revisions`, input);
}

/** A publisher approves a draft revision. @example await approveRevision(caseId, 2); */
export function approveRevision(caseId: string, number: number): Promise<AdvisoryRevision> {
  return apiRequest('POST', `/cases/${id(caseId)}/advisory/revisions/${number}/approve`);
}

/** The advisory as it will be published, as the server trims it for this viewer. @example await getAdvisoryPreview(caseId); */
export function getAdvisoryPreview(caseId: string): Promise<AdvisoryPreview> {
  return apiRequest('GET', `/cases/${id(caseId)}/advisory/preview`);
}

/** The publication record, or when it is due and what stands in its way (team). @example await getPublication(caseId); */
export function getPublication(caseId: string): Promise<Publication> {
  return apiRequest('GET', `/cases/${id(caseId)}/publication`);
}

/** Lifts the embargo now (exploitation seen). @example await releaseEarly(caseId, { reason: 'Exploited in the wild', exploitationSeen: true }); */
export function releaseEarly(caseId: string, input: ReleaseEarlyRequest): Promise<{ embargoId: string; published: boolean; notified: number }> {
  return apiRequest('POST', `/cases/${id(caseId)}/release-early`, input);
}

// Under the case's key, so a change here refreshes the case page (its status and public ID) too.
export const advisoryKeys = {
  all: (caseId: string) => [...vulnerabilitiesKeys.case(caseId), 'advisory'] as const,
  view: (caseId: string) => [...vulnerabilitiesKeys.case(caseId), 'advisory', 'view'] as const,
  revision: (caseId: string, number: number) => [...vulnerabilitiesKeys.case(caseId), 'advisory', 'revision', number] as const,
  preview: (caseId: string) => [...vulnerabilitiesKeys.case(caseId), 'advisory', 'preview'] as const,
  publication: (caseId: string) => [...vulnerabilitiesKeys.case(caseId), 'advisory', 'publication'] as const,
};

/** A 404 that means "no advisory yet" (the case itself is there): a state to show, not an error. */
export const isNoAdvisory = (error: unknown) => error instanceof ApiError && error.code === 'advisory_not_found';

const noRetryOn404 = (count: number, error: Error) => !(error instanceof ApiError && error.status === 404) && count < 2;

/** How often to ask whether a scheduled publication happened: every 10 s in its last hour, not at all otherwise. */
export function publicationPollMs(publication: Publication | undefined, now: number): number | false {
  if (!publication || publication.published || publication.dueAt === null) return false;
  if (publication.blockers.includes('no_approved_revision')) return false;
  return new Date(publication.dueAt).getTime() - now < 3_600_000 ? 10_000 : false;
}

export function useAdvisory(caseId: string) {
  return useQuery({ queryKey: advisoryKeys.view(caseId), queryFn: () => getAdvisory(caseId), retry: noRetryOn404 });
}

export function useRevision(caseId: string, number: number | null) {
  return useQuery({
    queryKey: advisoryKeys.revision(caseId, number ?? 0),
    queryFn: () => getRevision(caseId, number!),
    enabled: number !== null,
    staleTime: Infinity, // a revision never changes but for its state, which the list shows
  });
}

export function useAdvisoryPreview(caseId: string) {
  return useQuery({ queryKey: advisoryKeys.preview(caseId), queryFn: () => getAdvisoryPreview(caseId), retry: noRetryOn404 });
}

/** The publication state; asked again every 10 s in the hour before the instant, so the page turns "published" by itself. */
export function usePublication(caseId: string) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: advisoryKeys.publication(caseId),
    queryFn: () => getPublication(caseId),
    refetchInterval: (q) => publicationPollMs(q.state.data, Date.now()),
  });
  const published = query.data?.published;
  const seen = useRef(published);
  useEffect(() => {
    // Published by the job meanwhile: the case (status, public ID) and the revisions changed too.
    if (seen.current === false && published === true) {
      void queryClient.invalidateQueries({ queryKey: vulnerabilitiesKeys.case(caseId), exact: true });
      void queryClient.invalidateQueries({ queryKey: advisoryKeys.view(caseId) });
    }
    seen.current = published;
  }, [published, caseId, queryClient]);
  return query;
}

function useCaseMutation<TInput, TOutput>(caseId: string, mutationFn: (input: TInput) => Promise<TOutput>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn, onSuccess: () => queryClient.invalidateQueries({ queryKey: vulnerabilitiesKeys.case(caseId) }) });
}

export const useDraftAdvisory = (caseId: string) => useCaseMutation(caseId, () => draftAdvisory(caseId));
export const useReviseAdvisory = (caseId: string) => useCaseMutation(caseId, (input: ReviseAdvisoryRequest) => reviseAdvisory(caseId, input));
export const useApproveRevision = (caseId: string) => useCaseMutation(caseId, (number: number) => approveRevision(caseId, number));
export const useReleaseEarly = (caseId: string) => useCaseMutation(caseId, (input: ReleaseEarlyRequest) => releaseEarly(caseId, input));
