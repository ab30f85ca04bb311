import type { MailMessageDetail, MailMessageSummary, MailThread, RenderedMail } from '@renkei/contract';
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
export function listMessages(
  filter: { threadId?: string; flag?: 'unmatched_reply'; direction?: 'inbound' | 'outbound' | 'all' },
  offset = 0,
  limit = 100,
): Promise<Page<MailMessageSummary>> {
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
