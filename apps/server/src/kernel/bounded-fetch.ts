import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { parseIp, specialUse } from './ip.ts';

/** What an online source did: answered (with a body), never answered in time, or failed otherwise. */
export type FetchOutcome =
  | { status: 'answered'; statusCode: number; body: Buffer; url: string; contentType: string }
  | { status: 'unanswered'; detail: string; url: string }
  | { status: 'failed'; detail: string; url: string };

export interface FetchLimits {
  /** For the whole exchange, redirects and body included. */
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Refuse targets that resolve to private, loopback or other special addresses (for URLs built from untrusted input). */
  publicOnly: boolean;
  accept: string;
}

/** A DNS lookup that refuses special-use addresses, so a pasted domain cannot point the server at its own network. */
const publicLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = addresses;
    const usable = list.find((a) => {
      const parsed = parseIp(a.address);
      return parsed !== null && specialUse(parsed) === null;
    });
    if (!usable) return callback(Object.assign(new Error(`${hostname} resolves only to private or special-use addresses`), { code: 'EPRIVATE' }), '', 0);
    if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, [usable]);
    callback(null, usable.address, usable.family);
  });
};

/**
 * GET with a deadline over the whole exchange, a cap on the body (the connection is cut past it),
 * a bounded number of redirects and loop detection. Never throws: every end is an outcome.
 * @example const outcome = await boundedGet('https://rdap.example/ip/192.0.2.1', { timeoutMs: 5000, maxBytes: 1 << 20, maxRedirects: 3, publicOnly: false, accept: 'application/rdap+json' });
 */
export async function boundedGet(url: string, limits: FetchLimits): Promise<FetchOutcome> {
  const deadline = Date.now() + limits.timeoutMs;
  const seen = new Set<string>();
  let current = url;
  for (let hop = 0; ; hop++) {
    if (seen.has(current)) return { status: 'failed', detail: `redirect loop at ${current}`, url };
    seen.add(current);
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { status: 'unanswered', detail: `no answer within ${limits.timeoutMs} ms`, url };
    const outcome = await getOnce(current, remaining, limits);
    if (outcome.status !== 'redirect') return outcome.status === 'answered' ? { ...outcome, url: current } : { ...outcome, url };
    if (hop >= limits.maxRedirects) return { status: 'failed', detail: `more than ${limits.maxRedirects} redirects`, url };
    try {
      current = new URL(outcome.location, current).href;
    } catch {
      return { status: 'failed', detail: 'redirect to an unreadable location', url };
    }
  }
}

type Once =
  | { status: 'answered'; statusCode: number; body: Buffer; contentType: string }
  | { status: 'redirect'; location: string }
  | { status: 'unanswered'; detail: string }
  | { status: 'failed'; detail: string };

function getOnce(url: string, timeoutMs: number, limits: FetchLimits): Promise<Once> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.resolve({ status: 'failed', detail: 'not a URL' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return Promise.resolve({ status: 'failed', detail: `scheme ${parsed.protocol} not allowed` });
  if (limits.publicOnly) {
    const literal = parseIp(parsed.hostname.replace(/^\[|\]$/g, ''));
    if (literal && specialUse(literal)) return Promise.resolve({ status: 'failed', detail: `refused: ${parsed.hostname} is a ${specialUse(literal)} address` });
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Once) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(result);
    };
    const client = parsed.protocol === 'https:' ? https : http;
    const request = client.get(
      parsed,
      { headers: { accept: limits.accept, 'user-agent': 'Renkei network lookup' }, ...(limits.publicOnly ? { lookup: publicLookup } : {}) },
      (response) => {
        const statusCode = response.statusCode ?? 0;
        if (statusCode >= 300 && statusCode < 400 && response.headers.location) return finish({ status: 'redirect', location: response.headers.location });
        const declared = Number(response.headers['content-length']);
        if (Number.isFinite(declared) && declared > limits.maxBytes)
          return finish({ status: 'failed', detail: `answer of ${declared} bytes is over the ${limits.maxBytes}-byte limit` });
        const chunks: Buffer[] = [];
        let length = 0;
        response.on('data', (chunk: Buffer) => {
          length += chunk.length;
          if (length > limits.maxBytes) return finish({ status: 'failed', detail: `answer over the ${limits.maxBytes}-byte limit` });
          chunks.push(chunk);
        });
        response.on('end', () =>
          finish({ status: 'answered', statusCode, body: Buffer.concat(chunks), contentType: String(response.headers['content-type'] ?? '') }),
        );
        response.on('error', (error) => finish({ status: 'unanswered', detail: `connection broke: ${error.message}` }));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => {
      const unanswered = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(error.code ?? '');
      finish(unanswered ? { status: 'unanswered', detail: `${error.code}: ${error.message}` } : { status: 'failed', detail: error.message });
    });
    const timer = setTimeout(() => finish({ status: 'unanswered', detail: `no answer within ${limits.timeoutMs} ms` }), timeoutMs);
  });
}
