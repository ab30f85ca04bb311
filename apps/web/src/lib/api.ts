/**
 * The one way the app talks to the server: JSON over same-origin fetch under /api/v1, session cookie
 * included, X-CSRF-Token on every unsafe method once a token is known, and every failure turned into
 * an ApiError carrying the server's stable code.
 */

export const API_BASE = '/api/v1';

/** A failed request. `code` is the server's stable code, or one of ours for failures before/around HTTP. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Codes made up on this side, for failures where there is no server error body. */
export const CLIENT_ERROR_CODES = { network: 'network_error', unexpected: 'unexpected_response' } as const;

let csrfToken: string | null = null;
const unauthenticatedListeners = new Set<() => void>();

/** Remember the CSRF token from the latest Me; unsafe requests send it from then on. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/**
 * Called whenever the server answers 401 `unauthenticated` (the session ended or expired).
 * @example const stop = onUnauthenticated(() => setMe(null));
 */
export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * Sends a request and returns the parsed JSON body (undefined for 204).
 * @example const me = await apiRequest<Me>('GET', '/me');
 */
export async function apiRequest<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['X-CSRF-Token'] = csrfToken;

  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, CLIENT_ERROR_CODES.network, 'The server could not be reached');
  }

  if (response.status === 204) return undefined as T;
  const payload = await readJson(response);

  if (!response.ok) {
    const error = errorFromPayload(response.status, payload);
    if (error.status === 401 && error.code === 'unauthenticated') {
      for (const listener of unauthenticatedListeners) listener();
    }
    throw error;
  }
  if (payload === undefined) {
    throw new ApiError(response.status, CLIENT_ERROR_CODES.unexpected, 'The server sent an unexpected response');
  }
  return payload as T;
}

async function readJson(response: Response): Promise<unknown> {
  if (!(response.headers.get('Content-Type') ?? '').includes('json')) return undefined;
  try {
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}

// The body of a failed response is untrusted input: take only string fields of the documented shape.
function errorFromPayload(status: number, payload: unknown): ApiError {
  const error = isRecord(payload) && isRecord(payload.error) ? payload.error : undefined;
  if (error && typeof error.code === 'string') {
    const message = typeof error.message === 'string' ? error.message : error.code;
    const requestId = typeof error.requestId === 'string' ? error.requestId : undefined;
    return new ApiError(status, error.code, message, requestId);
  }
  return new ApiError(status, CLIENT_ERROR_CODES.unexpected, `The server answered ${status}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
