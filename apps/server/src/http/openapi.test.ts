import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, createTestApp } from '../testing/test-app.ts';
import { routesOf } from '../app/http-app.ts';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, { properties?: Record<string, unknown>; required?: string[] }> }> };
}

let t: TestApp;
let doc: OpenApiDocument;

beforeAll(async () => {
  t = await createTestApp();
  const response = await t.app.inject({ url: '/api/docs/json' });
  expect(response.statusCode).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  doc = JSON.parse(response.body) as OpenApiDocument;
});
afterAll(() => t.close());

/** Every `$ref` anywhere in a JSON value. */
function refsIn(value: unknown): string[] {
  const found: string[] = [];
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (Array.isArray(current)) pending.push(...(current as unknown[]));
    else if (current && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        if (key === '$ref' && typeof child === 'string') found.push(child);
        else pending.push(child);
      }
    }
  }
  return found;
}

/** The document's path for a Fastify URL: `/tokens/:id` → `/tokens/{id}`. */
const openApiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('the OpenAPI document at /api/docs/json', () => {
  it('Should be an OpenAPI 3 document naming the API and its version', () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info.title).toBe('Renkei API');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('Should list every /api/v1 route the app has registered, and nothing else', () => {
    const registered = routesOf(t.app)
      .filter((route) => route.url.startsWith('/api/v1/') && route.method !== 'HEAD')
      .map((route) => `${route.method.toLowerCase()} ${openApiPath(route.url)}`);
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`));
    expect(registered.length).toBeGreaterThan(10);
    expect(documented.sort()).toEqual([...new Set(registered)].sort());
  });

  it('Should give every operation a success response and its failures in the ErrorResponse shape', () => {
    const problems: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const codes = Object.keys(operation.responses);
        if (!codes.some((code) => /^2\d\d$/.test(code))) problems.push(`${method} ${path}: no success response`);
        for (const range of ['4XX', '5XX']) {
          const schema = operation.responses[range]?.content?.['application/json']?.schema;
          if (!refsIn(schema).includes('#/components/schemas/ErrorResponse')) problems.push(`${method} ${path}: ${range} is not an ErrorResponse`);
        }
        for (const code of codes.filter((c) => /^[45]\d\d$/.test(c))) {
          const schema = operation.responses[code]?.content?.['application/json']?.schema;
          if (code !== '503' && !refsIn(schema).includes('#/components/schemas/ErrorResponse'))
            problems.push(`${method} ${path}: ${code} is not an ErrorResponse`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('Should resolve every $ref inside the document, ErrorResponse included', () => {
    const refs = refsIn(doc);
    expect(refs).toContain('#/components/schemas/ErrorResponse');
    for (const ref of new Set(refs)) {
      expect(ref, ref).toMatch(/^#\/components\/schemas\/[A-Za-z0-9._-]+$/);
      expect(doc.components.schemas[ref.split('/').pop()!], ref).toBeDefined();
    }
    const error = doc.components.schemas.ErrorResponse!.properties!.error!;
    expect(Object.keys(error.properties!)).toEqual(expect.arrayContaining(['code', 'message', 'requestId', 'details']));
    expect(error.required).toEqual(expect.arrayContaining(['code', 'message']));
  });

  it('Should match what the API really answers: an error body has the documented fields', async () => {
    const response = await t.app.inject({ url: '/api/v1/me' });
    const documented = Object.keys(doc.components.schemas.ErrorResponse!.properties!.error!.properties!);
    expect(Object.keys(response.json<{ error: object }>().error).every((key) => documented.includes(key))).toBe(true);
  });
});

describe('the browsable API docs at /api/docs', () => {
  it('Should answer with an HTML page whose scripts and stylesheets are all its own files', async () => {
    const page = await t.app.inject({ url: '/api/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    // No inline code: every script has a src, and there is no <style> element or style attribute.
    const scripts = [...page.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes = '', content = ''] of scripts) {
      expect(attributes).toMatch(/\bsrc="[^"]+"/);
      expect(content.trim()).toBe('');
    }
    expect(page.body).not.toMatch(/<style\b|\sstyle="/i);
    const assets = [...page.body.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/gi)].map((match) => match[1]!);
    for (const asset of assets) {
      expect(asset, asset).not.toMatch(/^(https?:)?\/\//);
      const url = new URL(asset, 'http://127.0.0.1/api/docs/').pathname;
      const response = await t.app.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type'], url).toMatch(/javascript|css|image/);
    }
  });

  it("Should send a CSP that lets in the page's own scripts and styles and nothing inline or foreign", async () => {
    for (const url of ['/api/docs', '/api/docs/static/swagger-initializer.js', '/api/docs/json']) {
      const header = String((await t.app.inject({ url })).headers['content-security-policy']);
      const policy = new Map(
        header
          .split(';')
          .map((part) => part.trim().split(/\s+/))
          .map(([name = '', ...sources]) => [name, sources]),
      );
      expect(policy.get('script-src'), url).toEqual(["'self'"]);
      expect(policy.get('style-src'), url).toEqual(["'self'"]);
      expect(policy.get('connect-src'), url).toEqual(["'self'"]);
      expect(policy.get('object-src'), url).toEqual(["'none'"]);
      expect(header, url).not.toMatch(/unsafe-inline|unsafe-eval|https:|validator\.swagger\.io/);
    }
  });

  it('Should point the page at this document, relative to itself', async () => {
    const initializer = await t.app.inject({ url: '/api/docs/static/swagger-initializer.js' });
    expect(initializer.body).toContain("resolveUrl('./json')");
    expect(initializer.body).toContain('"BaseLayout"');
  });
});
