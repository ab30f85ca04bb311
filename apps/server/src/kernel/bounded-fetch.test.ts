import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FetchLimits, FetchBodyError, boundedGet, boundedOpen, boundedPost } from './bounded-fetch.ts';
import { type FetchGuard, NO_FETCH_ALLOW, type Resolver, parseFetchAllow } from './fetch-guard.ts';

// Every connection in this file goes to 127.0.0.1: refused destinations are refused before any connection.
let server: http.Server;
let port: number;
let base: string;
const hits: { url: string; host: string | undefined }[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const url = request.url ?? '/';
    hits.push({ url, host: request.headers.host });
    const redirect = (location: string) => void response.writeHead(302, { location }).end();
    if (url === '/ok') return void response.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
    if (url.startsWith('/to?')) return redirect(decodeURIComponent(url.slice(4)));
    const chain = /^\/chain\/(\d+)$/.exec(url);
    if (chain) return redirect(`/chain/${Number(chain[1]) + 1}`);
    if (url === '/big') return void response.writeHead(200, { 'content-length': '10000' }).end(Buffer.alloc(10_000, 0x61));
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => void (hits.length = 0));

const table: Record<string, string> = { 'feeds.test': '127.0.0.1', 'internal.test': '10.9.8.7', 'other-loopback.test': '127.0.0.2' };
const resolve: Resolver = async (hostname) => {
  const address = table[hostname];
  if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return [{ address, family: 4 }];
};
const loopbackAllowed: FetchGuard = { allow: parseFetchAllow('127.0.0.1'), resolve };
const limits = (guard: FetchGuard, more: Partial<FetchLimits> = {}): FetchLimits => ({
  timeoutMs: 2000,
  maxBytes: 1024 * 1024,
  maxRedirects: 3,
  guard,
  accept: '*/*',
  ...more,
});

describe('boundedGet', () => {
  it('Should refuse the loopback test server by default, before connecting', async () => {
    const outcome = await boundedGet(`${base}/ok`, limits({ allow: NO_FETCH_ALLOW, resolve }));
    expect(outcome).toMatchObject({ status: 'failed', detail: 'refused: 127.0.0.1 is a loopback address', refused: { addressClass: 'loopback' } });
    expect(hits).toEqual([]);
  });

  it('Should fetch from loopback once the operator allows it', async () => {
    const outcome = await boundedGet(`${base}/ok`, limits(loopbackAllowed));
    expect(outcome).toMatchObject({ status: 'answered', statusCode: 200, url: `${base}/ok`, contentType: 'text/plain' });
    expect(outcome.status === 'answered' && outcome.body.toString()).toBe('hello');
  });

  it('Should refuse a redirect from an allowed server to a refused address, on every hop', async () => {
    for (const [target, detail] of [
      ['http://169.254.169.254/latest/meta-data/', 'refused: 169.254.169.254 is a link-local address'],
      ['http://10.0.0.5/', 'refused: 10.0.0.5 is a private address'],
      [`http://127.0.0.2:${port}/ok`, 'refused: 127.0.0.2 is a loopback address'],
      [`http://2130706434:${port}/ok`, 'refused: 127.0.0.2 is a loopback address'],
      [`http://[::ffff:a9fe:a9fe]/`, 'refused: ::ffff:169.254.169.254 is a link-local address'],
      [`http://internal.test:${port}/ok`, 'refused: 10.9.8.7 is a private address (internal.test resolves to it)'],
      [`http://other-loopback.test:${port}/ok`, 'refused: 127.0.0.2 is a loopback address (other-loopback.test resolves to it)'],
    ]) {
      hits.length = 0;
      const outcome = await boundedGet(`${base}/to?${encodeURIComponent(target!)}`, limits(loopbackAllowed));
      expect(outcome, target).toMatchObject({ status: 'failed', detail });
      expect(hits.map((h) => h.url)).toEqual([`/to?${encodeURIComponent(target!)}`]);
    }
  });

  it('Should refuse a redirect to a scheme other than http or https', async () => {
    for (const target of ['file:///etc/passwd', 'ftp://127.0.0.1/x', 'gopher://127.0.0.1:70/_x', 'data:text/plain,x']) {
      const outcome = await boundedGet(`${base}/to?${encodeURIComponent(target)}`, limits(loopbackAllowed));
      expect(outcome, target).toMatchObject({ status: 'failed', detail: expect.stringMatching(/^refused: scheme [a-z]+: is not http or https$/) });
    }
  });

  it('Should stop after the redirect cap', async () => {
    const outcome = await boundedGet(`${base}/chain/0`, limits(loopbackAllowed, { maxRedirects: 3 }));
    expect(outcome).toMatchObject({ status: 'failed', detail: 'more than 3 redirects' });
    expect(hits.map((h) => h.url)).toEqual(['/chain/0', '/chain/1', '/chain/2', '/chain/3']);
  });

  it('Should connect to the address it checked, asking the resolver once per hop and keeping the name for the Host header', async () => {
    // A rebinding resolver: its first answer passes the check, a later one would not.
    let calls = 0;
    const rebinding: Resolver = async () => [{ address: calls++ === 0 ? '127.0.0.1' : '10.0.0.1', family: 4 }];
    const outcome = await boundedGet(`http://feeds.test:${port}/ok`, limits({ allow: parseFetchAllow('127.0.0.1'), resolve: rebinding }));
    expect(outcome).toMatchObject({ status: 'answered', statusCode: 200 });
    expect(calls).toBe(1);
    expect(hits).toEqual([{ url: '/ok', host: `feeds.test:${port}` }]);
    // A redirect to the same name is resolved again and checked again: now it is refused.
    const again = await boundedGet(`http://feeds.test:${port}/to?${encodeURIComponent(`http://feeds.test:${port}/ok`)}`, {
      ...limits({ allow: parseFetchAllow('127.0.0.1'), resolve: rebinding }),
    });
    expect(again).toMatchObject({ status: 'failed', detail: 'refused: 10.0.0.1 is a private address (feeds.test resolves to it)' });
  });

  it('Should answer unanswered for a name that does not resolve', async () => {
    expect(await boundedGet(`http://nowhere.test:${port}/ok`, limits(loopbackAllowed))).toMatchObject({ status: 'unanswered', detail: /^ENOTFOUND/ });
  });
});

describe('boundedOpen', () => {
  it('Should stream the body and fail the stream past maxBytes', async () => {
    const small = await boundedOpen(`${base}/big`, limits(loopbackAllowed, { maxBytes: 20_000 }));
    if (small.status !== 'answered') throw new Error(small.detail);
    let length = 0;
    for await (const chunk of small.body) length += (chunk as Buffer).length;
    expect(length).toBe(10_000);
    const capped = await boundedOpen(`${base}/to?${encodeURIComponent('/big')}`, limits(loopbackAllowed, { maxBytes: 4096 }));
    // The server declared 10,000 bytes: refused before the body is read.
    expect(capped).toMatchObject({ status: 'failed', detail: 'answer of 10000 bytes is over the 4096-byte limit' });
  });

  it('Should fail a body without a declared length once it passes maxBytes', async () => {
    const chunked = http.createServer((_request, response) => {
      response.writeHead(200);
      response.write(Buffer.alloc(3000));
      response.end(Buffer.alloc(3000));
    });
    await new Promise<void>((resolve) => chunked.listen(0, '127.0.0.1', resolve));
    try {
      const opened = await boundedOpen(`http://127.0.0.1:${(chunked.address() as AddressInfo).port}/`, limits(loopbackAllowed, { maxBytes: 4096 }));
      if (opened.status !== 'answered') throw new Error(opened.detail);
      const read = async () => {
        for await (const _ of opened.body);
      };
      await expect(read()).rejects.toEqual(new FetchBodyError('failed', 'answer over the 4096-byte limit'));
    } finally {
      chunked.closeAllConnections();
      await new Promise((resolve) => chunked.close(resolve));
    }
  });
});

describe('boundedPost', () => {
  const received: { method: string; url: string; body: string; type: string | undefined }[] = [];
  let poster: http.Server;
  let at: string;
  beforeAll(async () => {
    poster = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ method: request.method ?? '', url: request.url ?? '', body: Buffer.concat(chunks).toString(), type: request.headers['content-type'] });
        if (request.url === '/moved') return void response.writeHead(307, { location: '/elsewhere' }).end();
        if (request.url === '/silent') return; // never answers
        if (request.url === '/huge') return void response.writeHead(200).end(Buffer.alloc(10_000));
        response.writeHead(202).end('accepted');
      });
    });
    await new Promise<void>((resolve) => poster.listen(0, '127.0.0.1', resolve));
    at = `http://127.0.0.1:${(poster.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    poster.closeAllConnections();
    await new Promise((resolve) => poster.close(resolve));
  });
  beforeEach(() => void (received.length = 0));
  const post = (path: string, guard: FetchGuard = loopbackAllowed, more: { timeoutMs?: number; maxBytes?: number } = {}) =>
    boundedPost(`${at}${path}`, Buffer.from('{"a":1}'), { 'content-type': 'application/json' }, { timeoutMs: 2000, maxBytes: 1024, guard, ...more });

  it('Should send the body and headers and answer the status and body', async () => {
    const outcome = await post('/hook');
    expect(outcome).toMatchObject({ status: 'answered', statusCode: 202 });
    if (outcome.status === 'answered') expect(outcome.body.toString()).toBe('accepted');
    expect(received).toEqual([{ method: 'POST', url: '/hook', body: '{"a":1}', type: 'application/json' }]);
  });

  it('Should refuse an internal receiver unless the operator allows it, before connecting', async () => {
    expect(await post('/hook', { allow: NO_FETCH_ALLOW, resolve })).toMatchObject({ status: 'failed', refused: { addressClass: 'loopback' } });
    expect(received).toEqual([]);
  });

  it('Should not follow a redirect: the POST goes to the checked address only', async () => {
    expect(await post('/moved')).toMatchObject({ status: 'answered', statusCode: 307 });
    expect(received.map((r) => r.url)).toEqual(['/moved']);
  });

  it('Should give up on a receiver that never answers, and cut an answer past maxBytes', async () => {
    expect(await post('/silent', loopbackAllowed, { timeoutMs: 300 })).toMatchObject({ status: 'unanswered' });
    expect(await post('/huge')).toMatchObject({ status: 'failed' });
  });
});
