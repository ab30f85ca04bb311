import type { CaseMail, SendVendorMailsRequest, VendorMailDraft, VendorMailTemplate } from '@renkei/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api.ts';
import { vulnerabilitiesKeys } from './vulnerabilities.ts';

// Drafts carry the case's details and each vendor's name from the directory: rendered as React text only.
export type { CaseMail, VendorMailDraft, VendorMailTemplate };
export type OutgoingVendorMail = SendVendorMailsRequest['mails'][number];

const id = (value: string) => encodeURIComponent(value);

/** One draft per chosen vendor (all when none is chosen). @example await draftVendorMails(caseId, 'initial'); */
export function draftVendorMails(caseId: string, template: VendorMailTemplate, participantIds?: string[]): Promise<VendorMailDraft[]> {
  return apiRequest('POST', `/cases/${id(caseId)}/mail-drafts`, { template, ...(participantIds ? { participantIds } : {}) });
}

/** Sends the (edited) drafts through the outbox. @example await sendVendorMails(caseId, [{ participantId, template: 'initial', subject, body }]); */
export function sendVendorMails(caseId: string, mails: OutgoingVendorMail[]): Promise<{ ids: string[] }> {
  return apiRequest('POST', `/cases/${id(caseId)}/mails`, { mails });
}

/** The case's mails to vendors with their delivery state, newest first. @example const mails = await listVendorMails(caseId); */
export function listVendorMails(caseId: string): Promise<CaseMail[]> {
  return apiRequest('GET', `/cases/${id(caseId)}/mails`);
}

export const vendorMailKeys = {
  list: (caseId: string) => [...vulnerabilitiesKeys.case(caseId), 'mails'] as const,
};

/** The sent list; refreshed every 15 s while open, so delivery and bounces show without a reload. */
export function useVendorMails(caseId: string) {
  return useQuery({ queryKey: vendorMailKeys.list(caseId), queryFn: () => listVendorMails(caseId), refetchInterval: 15_000 });
}

export function useDraftVendorMails(caseId: string) {
  return useMutation({
    mutationFn: (input: { template: VendorMailTemplate; participantIds?: string[] }) => draftVendorMails(caseId, input.template, input.participantIds),
  });
}

/** Sending changes the case too (起算日, sharing, statuses): the case query is refreshed with the list. */
export function useSendVendorMails(caseId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (mails: OutgoingVendorMail[]) => sendVendorMails(caseId, mails),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: vulnerabilitiesKeys.case(caseId) }),
  });
}
