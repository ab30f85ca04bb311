import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { type FetchGuard, FetchRefusedError, type ResolvedAddress, checkDestination } from './fetch-guard.ts';

/** What an online source did: answered (with a body), never answered in time, or failed otherwise. */
export type FetchOutcome =
  | { status: 'answered'; statusCode: number; body: Buffer; url: string; contentType: string }
  | { status: 'unanswered'; detail: string; url: string }
  | { status: 'failed'; detail: string; url: string; refused?: FetchRefusedError };

/** The same, with the body still to be read: a stream cut at `maxBytes` and at the deadline. */
export type OpenOutcome =
  | { status: 'answered'; statusCode: number; body: Readable; url: string; contentType: string; headers: http.IncomingHttpHeaders }
  | Exclude<FetchOutcome, { status: 'answered' }>;

export interface FetchLimits {
  /** For the whole exchange, redirects and body included. */
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Which destinations may be reached, checked after DNS resolution on every hop. */
  guard: FetchGuard;
  accept: string;
  userAgent?: string;
  /** Ends the exchange early (a stopping job). */
  signal?: AbortSignal;
}

/** The body stream's failure: over the size limit ('failed') or cut off, late or aborted ('unanswered'). */
export class FetchBodyError extends Error {
  constructor(
    readonly kind: 'failed' | 'unanswered',
    message: string,
  ) {
    super(message);
    this.name = 'FetchBodyError';
  }
}

/**
 * GET with a deadline over the whole exchange, a cap on the body (the connection is cut past it),
 * a bounded number of redirects, loop detection, and every hop's destination checked after DNS
 * resolution (the connection goes to the checked address). Never throws: every end is an outcome.
 * @example const outcome = await boundedGet('https://rdap.example/ip/192.0.2.1', { timeoutMs: 5000, maxBytes: 1 << 20, maxRedirects: 3, guard: { allow: NO_FETCH_ALLOW }, accept: 'application/rdap+json' });
 */
export async function boundedGet(url: string, limits: FetchLimits): Promise<FetchOutcome> {
  const opened = await boundedOpen(url, limits);
  if (opened.status !== 'answered') return opened;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of opened.body) chunks.push(chunk as Buffer);
  } catch (error) {
    const kind = error instanceof FetchBodyError ? error.kind : 'unanswered';
    return { status: kind, detail: error instanceof Error ? error.message : String(error), url };
  }
  return { status: 'answered', statusCode: opened.statusCode, body: Buffer.concat(chunks), url: opened.url, contentType: opened.contentType };
}

/**
 * boundedGet without reading the body: the caller streams it (into the blob store), and the stream
 * fails with a FetchBodyError past `maxBytes` or the deadline. The caller must read or destroy it.
 * @example const opened = await boundedOpen(source.url, limits); if (opened.status === 'answered') await blobs.put(opened.body);
 */
export async function boundedOpen(url: string, limits: FetchLimits): Promise<OpenOutcome> {
  const deadline = Date.now() + limits.timeoutMs;
  const seen = new Set<string>();
  let current = url;
  for (let hop = 0; ; hop++) {
    if (seen.has(current)) return { status: 'failed', detail: `redirect loop at ${current}`, url };
    seen.add(current);
    if (deadline - Date.now() <= 0) return { status: 'unanswered', detail: `no answer within ${limits.timeoutMs} ms`, url };
    const once = await openOnce(current, deadline, limits);
    if (once.status === 'response') {
      const { response } = once;
      return {
        status: 'answered',
        statusCode: response.statusCode ?? 0,
        body: bodyOf(response, deadline, limits),
        url: current,
        contentType: String(response.headers['content-type'] ?? ''),
        headers: response.headers,
      };
    }
    if (once.status !== 'redirect') return { ...once, url };
    if (hop >= limits.maxRedirects) return { status: 'failed', detail: `more than ${limits.maxRedirects} redirects`, url };
    try {
      current = new URL(once.location, current).href;
    } catch {
      return { status: 'failed', detail: 'redirect to an unreadable location', url };
    }
  }
}

type Once =
  | { status: 'response'; response: http.IncomingMessage }
  | { status: 'redirect'; location: string }
  | { status: 'unanswered'; detail: string }
  | { status: 'failed'; detail: string; refused?: FetchRefusedError };

const UNANSWERED_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENODATA'];

/** Resolves and checks the destination within the deadline. */
async function destination(parsed: URL, deadline: number, limits: FetchLimits): Promise<ResolvedAddress | Once> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Once>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'unanswered', detail: `no answer within ${limits.timeoutMs} ms` }), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([checkDestination(parsed, limits.guard), late]);
  } catch (error) {
    if (error instanceof FetchRefusedError) return { status: 'failed', detail: error.message, refused: error };
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const message = error instanceof Error ? error.message : String(error);
    return UNANSWERED_CODES.includes(code) ? { status: 'unanswered', detail: `${code}: ${message}` } : { status: 'failed', detail: message };
  } finally {
    clearTimeout(timer);
  }
}

/** A request with a body (a webhook's POST); without one, a GET. */
interface Outgoing {
  method: 'POST';
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * POST with the same guard as boundedGet: the destination checked after DNS resolution (the connection
 * goes to the checked address), a deadline over the whole exchange, the answer's body capped. Redirects
 * are not followed (a 3xx is the answer). Never throws: every end is an outcome.
 * @example const outcome = await boundedPost(endpoint.url, Buffer.from(json), { 'content-type': 'application/json' }, { timeoutMs: 10_000, maxBytes: 65_536, guard });
 */
export async function boundedPost(
  url: string,
  body: Buffer,
  headers: Record<string, string>,
  limits: Omit<FetchLimits, 'maxRedirects' | 'accept'> & { accept?: string },
): Promise<FetchOutcome> {
  const deadline = Date.now() + limits.timeoutMs;
  const full: FetchLimits = { ...limits, maxRedirects: 0, accept: limits.accept ?? '*/*' };
  const once = await openOnce(url, deadline, full, { method: 'POST', headers, body });
  if (once.status === 'redirect') return { status: 'failed', detail: 'redirected', url };
  if (once.status !== 'response') return { ...once, url };
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of bodyOf(once.response, deadline, full)) chunks.push(chunk as Buffer);
  } catch (error) {
    const kind = error instanceof FetchBodyError ? error.kind : 'unanswered';
    return { status: kind, detail: error instanceof Error ? error.message : String(error), url };
  }
  const response = once.response;
  return {
    status: 'answered',
    statusCode: response.statusCode ?? 0,
    body: Buffer.concat(chunks),
    url,
    contentType: String(response.headers['content-type'] ?? ''),
  };
}

async function openOnce(url: string, deadline: number, limits: FetchLimits, outgoing?: Outgoing): Promise<Once> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { status: 'failed', detail: 'not a URL' };
  }
  if (limits.signal?.aborted) return { status: 'unanswered', detail: 'aborted' };
  const target = await destination(parsed, deadline, limits);
  if ('status' in target) return target;
  // The socket connects to the address just checked: no second DNS answer (rebinding) is asked for.
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all)
      return (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: target.address, family: target.family }]);
    callback(null, target.address, target.family);
  };
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Once) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      limits.signal?.removeEventListener('abort', onAbort);
      if (result.status !== 'response') request.destroy();
      resolve(result);
    };
    const onAbort = () => finish({ status: 'unanswered', detail: 'aborted' });
    const client = parsed.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { accept: limits.accept, 'user-agent': limits.userAgent ?? 'Renkei', ...outgoing?.headers };
    if (outgoing) headers['content-length'] = String(outgoing.body.length);
    const request = client.request(parsed, { method: outgoing?.method ?? 'GET', headers, lookup: pinned, agent: false }, (response) => {
      const statusCode = response.statusCode ?? 0;
      if (!outgoing && statusCode >= 300 && statusCode < 400 && response.headers.location) {
        response.resume();
        return finish({ status: 'redirect', location: response.headers.location });
      }
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > limits.maxBytes)
        return finish({ status: 'failed', detail: `answer of ${declared} bytes is over the ${limits.maxBytes}-byte limit` });
      finish({ status: 'response', response });
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      const unanswered = UNANSWERED_CODES.includes(error.code ?? '');
      finish(unanswered ? { status: 'unanswered', detail: `${error.code}: ${error.message}` } : { status: 'failed', detail: error.message });
    });
    limits.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish({ status: 'unanswered', detail: `no answer within ${limits.timeoutMs} ms` }), Math.max(0, deadline - Date.now()));
    request.end(outgoing?.body);
  });
}

/** The response body, cut at maxBytes and at the deadline; reading it to the end or dropping it closes the connection. */
function bodyOf(response: http.IncomingMessage, deadline: number, limits: FetchLimits): Readable {
  const late = () => response.destroy(new FetchBodyError('unanswered', `no answer within ${limits.timeoutMs} ms`));
  const aborted = () => response.destroy(new FetchBodyError('unanswered', 'aborted'));
  const timer = setTimeout(late, Math.max(0, deadline - Date.now()));
  response.on('error', () => {}); // read through the iterator below; unread, the error must not go unhandled
  limits.signal?.addEventListener('abort', aborted, { once: true });
  async function* read(): AsyncGenerator<Buffer> {
    let length = 0;
    try {
      for await (const chunk of response) {
        length += (chunk as Buffer).length;
        if (length > limits.maxBytes) throw new FetchBodyError('failed', `answer over the ${limits.maxBytes}-byte limit`);
        yield chunk as Buffer;
      }
    } catch (error) {
      if (error instanceof FetchBodyError) throw error;
      throw new FetchBodyError('unanswered', `connection broke: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const body = Readable.from(read(), { objectMode: false });
  // Read to the end, failed or dropped unread (destroy before the first read runs no finally): let go.
  body.once('close', () => {
    clearTimeout(timer);
    limits.signal?.removeEventListener('abort', aborted);
    response.destroy();
  });
  return body;
}
