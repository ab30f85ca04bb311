import type { MailMessageDetail, MailMessageSummary, MailThread, RenderedMail } from '@renkei/contract';
import { useMutation, useQuery } from '@tanstack/react-query';
import { API_BASE, apiRequest } from '../../../lib/api.ts';

export interface Page<T> {
  items: T[];
  total: number;
  nextOffset: number | null;
}

/** Threads, most recently active first. @example const { items } = await listThreads(0, 50); */
export function listThreads(offset = 0, limit = 50): Promise<Page<MailThread>> {
  return apiRequest<Page<MailThread>>('GET', `/mail/threads?offset=${offset}&limit=${limit}`);
}

/** Messages of a thread (`direction: 'all'` for both ways), or inbound ones flagged for an analyst. @example await listMessages({ flag: 'unmatched_reply' }); */
export interface MessageFilter {
  threadId?: string;
  flag?: 'unmatched_reply';
  direction?: 'inbound' | 'outbound' | 'all';
}

export function listMessages(filter: MessageFilter, offset = 0, limit = 100): Promise<Page<MailMessageSummary>> {
  const query = new URLSearchParams({ offset: String(offset), limit: String(limit), direction: filter.direction ?? 'inbound' });
  if (filter.threadId) query.set('threadId', filter.threadId);
  if (filter.flag) query.set('flag', filter.flag);
  return apiRequest<Page<MailMessageSummary>>('GET', `/mail/messages?${query.toString()}`);
}

/** One message with its parts. @example const message = await getMessage(id); */
export function getMessage(id: string): Promise<MailMessageDetail> {
  return apiRequest<MailMessageDetail>('GET', `/mail/messages/${encodeURIComponent(id)}`);
}

/** Where an attachment downloads from (always as a file, never shown inline). */
export function attachmentUrl(messageId: string, partId: string): string {
  return `${API_BASE}/mail/messages/${encodeURIComponent(messageId)}/parts/${encodeURIComponent(partId)}`;
}

export interface TemplateInfo {
  name: string;
  description: string;
  variables: string[];
}

/** The mail templates with the variables each needs. @example const templates = await listTemplates(); */
export function listTemplates(): Promise<TemplateInfo[]> {
  return apiRequest<TemplateInfo[]>('GET', '/mail/templates');
}

/**
 * A template rendered as it would be sent: the recipient's language from the directory (or the one given),
 * the TLP label in subject and body.
 * @example await previewTemplate('report-acknowledgement', { variables: { name: 'A', reference: 'IR-1' }, tlp: 'TLP:GREEN' });
 */
export function previewTemplate(
  name: string,
  input: { to?: string; language?: 'en' | 'ja'; variables: Record<string, string>; tlp: string },
): Promise<RenderedMail> {
  return apiRequest<RenderedMail>('POST', `/mail/templates/${encodeURIComponent(name)}/preview`, input);
}

/** Query keys of this feature; the mailbox's refresh button refreshes everything under `all`. */
export const mailKeys = {
  all: ['mail'] as const,
  threads: ['mail', 'threads'] as const,
  messages: (filter: MessageFilter) => ['mail', 'messages', filter] as const,
  message: (id: string) => ['mail', 'message', id] as const,
  templates: ['mail', 'templates'] as const,
};

/** @example const { data } = useThreads(); */
export function useThreads() {
  return useQuery({ queryKey: mailKeys.threads, queryFn: async () => (await listThreads(0, 100)).items });
}

/** Messages for a filter, or nothing while `filter` is null. @example useMessages({ flag: 'unmatched_reply' }) */
export function useMessages(filter: MessageFilter | null) {
  return useQuery({
    queryKey: mailKeys.messages(filter ?? {}),
    queryFn: async () => (await listMessages(filter ?? {})).items,
    enabled: filter !== null,
  });
}

/** One message, or nothing while `id` is null. @example useMessage(selectedId) */
export function useMessage(id: string | null) {
  return useQuery({ queryKey: mailKeys.message(id ?? ''), queryFn: () => getMessage(id ?? ''), enabled: id !== null });
}

/** @example const { data } = useTemplates(); */
export function useTemplates() {
  return useQuery({ queryKey: mailKeys.templates, queryFn: listTemplates, staleTime: Infinity });
}

/** Renders a template; nothing changes on the server. @example preview.mutate({ name, input }) */
export function usePreviewTemplate() {
  return useMutation({ mutationFn: ({ name, input }: { name: string; input: Parameters<typeof previewTemplate>[1] }) => previewTemplate(name, input) });
}
