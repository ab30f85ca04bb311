import type { CaseMessage, ChangedCase } from '@renkei/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api.ts';

// Message bodies are untrusted input (vendors, partners): rendered only as React text, never as HTML.
export type { CaseMessage, ChangedCase };

export interface NewCaseMessage {
  body: string;
  /** Team: the participant of the private thread. */
  privateTo?: string;
  /** A participant: to the team only. */
  private?: boolean;
  vulnerabilityId?: string;
  productName?: string;
}

const id = (value: string) => encodeURIComponent(value);

/** The messages the viewer may read, oldest first. @example const messages = await listCaseMessages(caseId); */
export function listCaseMessages(caseId: string): Promise<CaseMessage[]> {
  return apiRequest('GET', `/cases/${id(caseId)}/messages`);
}

/** @example await postCaseMessage(caseId, { body: 'Which versions are affected?', privateTo: participantId }); */
export function postCaseMessage(caseId: string, input: NewCaseMessage): Promise<{ id: string }> {
  return apiRequest('POST', `/cases/${id(caseId)}/messages`, input);
}

/** Marks the case read now. @example await markCaseSeen(caseId); */
export function markCaseSeen(caseId: string): Promise<void> {
  return apiRequest('POST', `/cases/${id(caseId)}/seen`);
}

/** Cases changed since the viewer last opened them. @example const changed = await listChangedCases(); */
export function listChangedCases(): Promise<ChangedCase[]> {
  return apiRequest('GET', '/cases/changed?limit=200');
}

export const caseMessagesKeys = {
  messages: (caseId: string) => ['vulnerabilities', 'case-messages', caseId] as const,
  changed: ['vulnerabilities', 'changed'] as const,
};

export function useCaseMessages(caseId: string) {
  // Others write out of band: the thread is asked for again at every opening.
  return useQuery({ queryKey: caseMessagesKeys.messages(caseId), queryFn: () => listCaseMessages(caseId), staleTime: 0 });
}

export function usePostCaseMessage(caseId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: NewCaseMessage) => postCaseMessage(caseId, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: caseMessagesKeys.messages(caseId) }),
  });
}

/** Marks the case seen; the changed list is stale after it (the thread keeps its "new" marks until reloaded). */
export function useMarkCaseSeen(caseId: string) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: () => markCaseSeen(caseId), onSuccess: () => queryClient.invalidateQueries({ queryKey: caseMessagesKeys.changed }) });
}

export function useChangedCases() {
  return useQuery({ queryKey: caseMessagesKeys.changed, queryFn: listChangedCases, staleTime: 0 });
}
