import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LookupResponse } from '@renkei/contract';
import { systemContext } from '../../policy/actor.ts';
import { expectAccess } from '../../testing/access.ts';
import { type TestApp, createTestApp } from '../../testing/test-app.ts';

let t: TestApp;
let dir: string;

beforeAll(async () => {
  t = await createTestApp();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-lookup-routes-'));
  const file = path.join(dir, 'routes-ip2asn.tsv');
  fs.writeFileSync(file, '198.51.100.0\t198.51.100.255\t64500\tJP\tEXAMPLE-JP\n');
  await t.services.networkLookup.importIpData(systemContext('test'), file);
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('POST /api/v1/contacts/lookup', () => {
  it('Should be open to staff roles only', async () => {
    await expectAccess(
      t,
      { method: 'POST', url: '/api/v1/contacts/lookup', payload: { items: ['198.51.100.1'] } },
      { allowed: ['admin', 'coordinator', 'analyst', 'publisher'] },
    );
  });

  it('Should answer each item in order with provenance per field', async () => {
    const analyst = await t.createUser(['analyst']);
    const response = await t.request(analyst, {
      method: 'POST',
      url: '/api/v1/contacts/lookup',
      payload: { items: ['hxxp://198.51.100[.]9/x', 'junk!', 'xn--r8jz45g.jp'] },
    });
    expect(response.statusCode).toBe(200);
    const { answers } = response.json<LookupResponse>();
    expect(answers.map((a) => a.kind)).toEqual(['ip', 'invalid', 'domain']);
    expect(answers[0]).toMatchObject({
      normalized: '198.51.100.9',
      asn: { value: 64500, source: 'ip2asn:routes-ip2asn.tsv', confidence: 'medium' },
      country: { value: 'JP' },
    });
    expect(answers[1]!.error).toBeTruthy();
    expect(answers[2]).toMatchObject({ display: '例え.jp' });
  });

  it('Should refuse an empty list and more than 10,000 items', async () => {
    const analyst = await t.createUser(['analyst']);
    for (const items of [[], new Array(10_001).fill('1.1.1.1')]) {
      const response = await t.request(analyst, { method: 'POST', url: '/api/v1/contacts/lookup', payload: { items } });
      expect(response.statusCode).toBe(400);
    }
  });

  it('Should be described in the OpenAPI document', async () => {
    const response = await t.app.inject({ url: '/api/docs/json' });
    const doc = response.json<{ paths: Record<string, { post?: { requestBody?: unknown } }> }>();
    expect(doc.paths['/api/v1/contacts/lookup']?.post?.requestBody).toBeTruthy();
  });
});
