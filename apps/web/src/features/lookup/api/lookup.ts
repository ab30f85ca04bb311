import { LOOKUP_MAX_ITEMS, type LookupAnswer, type LookupResponse } from '@renkei/contract';
import { useMutation } from '@tanstack/react-query';
import { apiRequest } from '../../../lib/api.ts';

export { LOOKUP_MAX_ITEMS };

/**
 * Splits a pasted list into items: one per line or separated by spaces, commas or semicolons
 * (defanged forms are left for the server to read).
 * @example splitItems('1.2.3[.]4, example[.]com\nhxxp://x[.]jp') // ['1.2.3[.]4', 'example[.]com', 'hxxp://x[.]jp']
 */
export function splitItems(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Asks "who can act on these?". @example const answers = await lookup(['192.0.2.1'], false); */
export async function lookup(items: string[], online: boolean): Promise<LookupAnswer[]> {
  return (await apiRequest<LookupResponse>('POST', '/contacts/lookup', { items, online })).answers;
}

/** Runs a lookup on demand (it may go online, so it is asked for, not cached). @example run.mutate({ items, online: false }) */
export function useLookup() {
  return useMutation({ mutationFn: ({ items, online }: { items: string[]; online: boolean }) => lookup(items, online) });
}
