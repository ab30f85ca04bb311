import { type MouseEvent, useSyncExternalStore } from 'react';

/**
 * A tiny history router. The app lives under BASE (`/app/`); paths inside it are written without the
 * base (`/`, `/settings`, `/login`). The server must answer every GET under /app/ that is not a file
 * with index.html.
 */

export const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');

const NAVIGATE_EVENT = 'renkei:navigate';

export interface Location {
  /** The path inside the app, e.g. `/settings`; always starts with `/`. */
  path: string;
  search: URLSearchParams;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

function snapshot(): string {
  return window.location.pathname + window.location.search;
}

/** Parses `pathname + search` of the browser into an app Location. */
export function toLocation(href: string): Location {
  const url = new URL(href, window.location.origin);
  let path = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) : url.pathname;
  if (!path.startsWith('/')) path = `/${path}`;
  if (path.length > 1) path = path.replace(/\/+$/, '');
  return { path, search: url.searchParams };
}

/** The current app location; re-renders on navigation and on back/forward. */
export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot);
  // A new object per distinct href only, so that effects depending on it do not re-run needlessly.
  return useMemoLocation(href);
}

let lastHref = '';
let lastLocation: Location = { path: '/', search: new URLSearchParams() };
function useMemoLocation(href: string): Location {
  if (href !== lastHref) {
    lastHref = href;
    lastLocation = toLocation(href);
  }
  return lastLocation;
}

/** The browser URL of an app path. @example hrefOf('/settings') // '/app/settings' */
export function hrefOf(path: string): string {
  return `${BASE}${path}`;
}

/**
 * Goes to an app path without reloading.
 * @example navigate('/login?next=%2Fsettings', { replace: true });
 */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const href = hrefOf(path);
  if (href === snapshot()) return;
  if (options.replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
  window.scrollTo(0, 0);
}

/** Props for an `<a>` that navigates inside the app, yet still opens in a new tab on ctrl/cmd/middle click. */
export function linkProps(path: string, after?: () => void): { href: string; onClick: (event: MouseEvent<HTMLElement>) => void } {
  return {
    href: hrefOf(path),
    onClick: (event) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      navigate(path);
      after?.();
    },
  };
}
