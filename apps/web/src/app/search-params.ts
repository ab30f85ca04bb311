/*
 * How the router reads and writes the search part of a URL. Values stay plain strings (`?q=AS64500`),
 * not the JSON the router writes by default (`?q=%22AS64500%22`), so links stay readable and old links
 * keep working; each route's validateSearch then narrows them.
 */

/**
 * @example parseSearch('?q=AS64500&kind=isp') // { q: 'AS64500', kind: 'isp' }
 */
export function parseSearch(searchStr: string): Record<string, unknown> {
  const result: Record<string, string> = {};
  // The first of a repeated key wins, as a server reading the same URL would do.
  for (const [key, value] of new URLSearchParams(searchStr)) result[key] ??= value;
  return result;
}

/**
 * Drops empty values, so a cleared filter leaves no `?q=` behind.
 * @example stringifySearch({ q: '192.0.2.1', kind: undefined }) // '?q=192.0.2.1'
 */
export function stringifySearch(search: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(search)) {
    if (typeof value === 'string' && value !== '') params.set(key, value);
    else if (typeof value === 'number' || typeof value === 'boolean') params.set(key, String(value));
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

/**
 * Where to go after login: only a path inside the app, so `?next=` cannot send anyone elsewhere.
 * @example safeNext('/incidents/triage') // '/incidents/triage'
 * @example safeNext('https://evil.example/') // '/'
 */
export function safeNext(next: string | undefined): string {
  if (next === undefined || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/';
  // A control character has no place in a path and could make a browser read the rest differently.
  return [...next].some((char) => char.charCodeAt(0) < 0x20) ? '/' : next;
}
