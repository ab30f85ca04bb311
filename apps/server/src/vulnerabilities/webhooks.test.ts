import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES, type WebhookDelivery, type WebhookEndpoint, type WebhookEndpointWithSecret } from '@renkei/contract';
import type { TestApp, TestUser } from '../testing/test-app.ts';
import { type ReceivedWebhook, startWebhookReceiver } from './webhook-receiver-test-server.ts';
import { addSharedVendor, openCase, outsideOrganisationWithUser, startCaseHarness } from './vulnerabilities-test-kit.ts';

let harness: Awaited<ReturnType<typeof startCaseHarness>>;
let t: TestApp;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let coordinator: TestUser;
let admin: TestUser;
type Org = { organisationId: string; user: TestUser; secret: string; endpointId: string; path: string };
const orgs: Record<string, Org> = {};

/** How the receiver's side checks a delivery: the HMAC over `t.body` with the secret, and a fresh timestamp. */
function verifies(delivery: ReceivedWebhook, secret: string): boolean {
  const header = String(delivery.headers['renkei-signature'] ?? '');
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${delivery.body}`).digest();
  return Math.abs(Date.now() / 1000 - Number(match[1])) < 300 && timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

async function waitFor<T>(what: string, probe: () => T | Promise<T>, done: (value: T) => boolean, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until no delivery is pending, so "received nothing" is a fact and not a race. */
const settled = () =>
  waitFor(
    'deliveries to settle',
    () => t.database.db.selectFrom('webhook_deliveries').select('id').where('state', '=', 'pending').execute(),
    (rows) => rows.length === 0,
    30_000,
  );

const payloads = (path: string) =>
  receiver.at(path).map((r) => JSON.parse(r.body) as { id: string; type: string; caseId: string | null; reference: string; url: string });

async function register(name: string, events: string[] = ['case.shared', 'message.created', 'status.changed', 'embargo.proposed']): Promise<Org> {
  const { organisationId, user } = await outsideOrganisationWithUser(t, name);
  const path = `/${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const created = await t.request(user, { method: 'POST', url: '/api/v1/webhooks', payload: { organisationId, url: receiver.url(path), events } });
  expect(created.statusCode, created.body).toBe(201);
  const { endpoint, secret } = created.json<WebhookEndpointWithSecret>();
  return { organisationId, user, secret, endpointId: endpoint.id, path };
}

beforeAll(async () => {
  // Acme's receiver fails its first delivery with a 500; every other answers 200.
  receiver = await startWebhookReceiver((path, count) => (path === '/acme-hooks' && count === 1 ? 500 : path === '/always-down' ? 503 : 200));
  harness = await startCaseHarness({
    RENKEI_FETCH_ALLOW: '127.0.0.1',
    RENKEI_WEBHOOK_RETRY_SECONDS: '1',
    RENKEI_WEBHOOK_ATTEMPTS: '3',
    RENKEI_WEBHOOK_TIMEOUT_SECONDS: '3',
  });
  t = harness.t;
  coordinator = await t.createUser(['coordinator']);
  admin = await t.createUser(['admin']);
  for (const name of ['Acme Hooks', 'Globex Hooks', 'Initech Hooks']) orgs[name] = await register(name);
});
afterAll(async () => {
  await harness.close();
  await receiver.close();
});

describe('webhook endpoints', () => {
  it('shows the secret once: the list never carries it', async () => {
    const acme = orgs['Acme Hooks']!;
    expect(acme.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const listed = await t.request(acme.user, { url: '/api/v1/webhooks' });
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(acme.secret);
    expect(listed.json<WebhookEndpoint[]>().map((e) => e.id)).toEqual([acme.endpointId]);
  });

  it("keeps each organisation to its own endpoints: another's answer the same 404 as an absent one", async () => {
    const acme = orgs['Acme Hooks']!;
    const globex = orgs['Globex Hooks']!;
    for (const id of [acme.endpointId, '00000000-0000-4000-8000-000000000000']) {
      for (const [method, url] of [
        ['PATCH', `/api/v1/webhooks/${id}`],
        ['POST', `/api/v1/webhooks/${id}/rotate-secret`],
        ['POST', `/api/v1/webhooks/${id}/ping`],
        ['GET', `/api/v1/webhooks/${id}/deliveries`],
      ] as const) {
        const answer = await t.request(globex.user, { method, url, ...(method === 'PATCH' ? { payload: { active: false } } : {}) });
        expect(answer.statusCode, `${method} ${url}`).toBe(404);
        expect(answer.json<{ error: { code: string } }>().error.code).toBe('webhook_not_found');
      }
    }
    const forOther = await t.request(globex.user, {
      method: 'POST',
      url: '/api/v1/webhooks',
      payload: { organisationId: acme.organisationId, url: receiver.url('/stolen'), events: ['case.shared'] },
    });
    expect(forOther.statusCode).toBe(404);
    expect((await t.request(globex.user, { url: `/api/v1/webhooks?organisationId=${acme.organisationId}` })).json()).toEqual([]);
    // Staff other than admins have no endpoints to manage; an admin sees every organisation's.
    expect((await t.request(coordinator, { url: '/api/v1/webhooks' })).statusCode).toBe(403);
    const all = (await t.request(admin, { url: '/api/v1/webhooks' })).json<WebhookEndpoint[]>();
    expect(all.map((e) => e.organisationName).sort()).toEqual(['Acme Hooks', 'Globex Hooks', 'Initech Hooks']);
  });

  it('refuses malformed, huge and malicious endpoints', async () => {
    const { organisationId, user } = orgs['Initech Hooks']!;
    const bad: [unknown, string][] = [
      [{ url: 'javascript:alert(1)', events: ['case.shared'] }, 'invalid_webhook_url'],
      [{ url: 'ftp://example.org/hook', events: ['case.shared'] }, 'invalid_webhook_url'],
      [{ url: 'https://user:pass@example.org/hook', events: ['case.shared'] }, 'invalid_webhook_url'],
      [{ url: 'https://exa mple.org/hook', events: ['case.shared'] }, 'invalid_webhook_url'],
      [{ url: 'https://example.org/\u0000hook', events: ['case.shared'] }, 'null_character'],
      [{ url: 'https://example.org/\u0007hook', events: ['case.shared'] }, 'invalid_webhook_url'],
      [{ url: 'not a url at all', events: ['case.shared'] }, 'invalid_webhook_url'],
      [{ url: `https://example.org/${'a'.repeat(5_000)}`, events: ['case.shared'] }, 'validation_failed'],
      [{ url: 'https://example.org/hook', events: [] }, 'validation_failed'],
      [{ url: 'https://example.org/hook', events: ['case.shared', 'case.shared'] }, 'validation_failed'],
      [{ url: 'https://example.org/hook', events: ['case.everything'] }, 'validation_failed'],
      [{ url: 'https://example.org/hook', events: ['case.shared'], description: 'x'.repeat(201) }, 'validation_failed'],
      [{ url: 'https://example.org/hook', events: ['case.shared'], secret: 'mine' }, 'validation_failed'],
    ];
    for (const [payload, code] of bad) {
      const answer = await t.request(user, { method: 'POST', url: '/api/v1/webhooks', payload: { organisationId, ...(payload as object) } });
      expect(answer.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(answer.json<{ error: { code: string } }>().error.code).toBe(code);
    }
    // Cloud metadata and other internal addresses are refused (127.0.0.1 alone is allowed in this test).
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://10.0.0.1/hook', 'http://[::ffff:192.168.0.1]/hook', 'http://0x7f000002/']) {
      const answer = await t.request(user, { method: 'POST', url: '/api/v1/webhooks', payload: { organisationId, url, events: ['case.shared'] } });
      expect(answer.statusCode, url).toBe(422);
      expect(answer.json<{ error: { code: string } }>().error.code).toBe('fetch_refused');
    }
    const notJson = await t.request(user, { method: 'POST', url: '/api/v1/webhooks', headers: { 'content-type': 'application/json' }, payload: '{"url":' });
    expect(notJson.statusCode).toBe(400);
  });
});

/** The case the deliveries below are about (opened by the first of them). */
let caseId: string;
let reference: string;

describe('webhook deliveries', () => {
  it('tells a vendor its case was shared, signed with its secret, retried after a 500 with the same event id', async () => {
    const acme = orgs['Acme Hooks']!;
    ({ caseId, reference } = await openCase(t, coordinator, 'Hook Router'));
    await addSharedVendor(t, coordinator, caseId, acme.organisationId);
    const got = await waitFor(
      'two attempts at acme',
      () => receiver.at(acme.path),
      (r) => r.length >= 2,
    );
    expect(got.map((r) => verifies(r, acme.secret))).toEqual([true, true]);
    expect(got[0]!.headers['renkei-event-id']).toBe(got[1]!.headers['renkei-event-id']);
    const body = JSON.parse(got[1]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ id: got[0]!.headers['renkei-event-id'], type: 'case.shared', caseId, reference });
    expect(body.url).toMatch(new RegExp(`/api/v1/cases/${caseId}$`));
    expect(Object.keys(body).sort()).toEqual(['caseId', 'id', 'modified', 'reference', 'type', 'url']);
    expect(verifies(got[1]!, orgs['Globex Hooks']!.secret)).toBe(false);
    await settled();
    const deliveries = (await t.request(acme.user, { url: `/api/v1/webhooks/${acme.endpointId}/deliveries` })).json<WebhookDelivery[]>();
    expect(deliveries[0]!.state).toBe('delivered');
    expect(deliveries[0]!.attempts.map((a) => [a.statusCode, a.error])).toEqual([
      [500, 'HTTP 500'],
      [200, null],
    ]);
  });

  it('sends a message to those who may read it: the case thread to every shared vendor but never to one not on the case', async () => {
    const [acme, globex, initech] = [orgs['Acme Hooks']!, orgs['Globex Hooks']!, orgs['Initech Hooks']!];
    const globexParticipant = await addSharedVendor(t, coordinator, caseId, globex.organisationId);
    // Initech is added but not yet shared: it hears nothing until it is.
    await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/vendors`, payload: { organisationId: initech.organisationId } });
    await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/messages`, payload: { body: 'Please confirm the fix.' } });
    await t.request(coordinator, {
      method: 'POST',
      url: `/api/v1/cases/${caseId}/messages`,
      payload: { body: 'Globex only', privateTo: globexParticipant },
    });
    await settled();
    const types = (path: string) =>
      payloads(path)
        .filter((p) => p.caseId === caseId)
        .map((p) => p.type);
    expect(types(acme.path).filter((x) => x === 'message.created')).toHaveLength(1);
    expect(types(globex.path)).toEqual(['case.shared', 'message.created', 'message.created']);
    expect(types(initech.path)).toEqual([]);
    // Nothing of a message's text travels: a receiver fetches what it may read.
    expect(receiver.received.some((r) => r.body.includes('Globex only') || r.body.includes('confirm the fix'))).toBe(false);
  });

  it("tells a vendor of changes to its own status rows, not of another vendor's", async () => {
    const [acme, globex] = [orgs['Acme Hooks']!, orgs['Globex Hooks']!];
    const added = await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/vulnerabilities`, payload: { title: 'Stored XSS' } });
    expect(added.statusCode, added.body).toBe(201);
    const vulnerabilityId = added.json<{ id: string }>().id;
    const before = payloads(acme.path).length;
    const set = await t.request(globex.user, {
      method: 'PUT',
      url: `/api/v1/cases/${caseId}/statuses`,
      payload: { statuses: [{ vulnerabilityId, status: 'vulnerable' }] },
    });
    expect(set.statusCode, set.body).toBe(200);
    await settled();
    expect(payloads(globex.path).at(-1)!.type).toBe('status.changed');
    expect(payloads(acme.path)).toHaveLength(before);
  });

  it('sends nothing for events an endpoint did not ask for, nor to a deactivated one', async () => {
    const acme = orgs['Acme Hooks']!;
    const off = await t.request(acme.user, { method: 'PATCH', url: `/api/v1/webhooks/${acme.endpointId}`, payload: { active: false } });
    expect(off.json<WebhookEndpoint>().active).toBe(false);
    const before = receiver.at(acme.path).length;
    await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/messages`, payload: { body: 'While Acme is off' } });
    const ping = await t.request(acme.user, { method: 'POST', url: `/api/v1/webhooks/${acme.endpointId}/ping` });
    expect(ping.json<{ error: { code: string } }>().error.code).toBe('webhook_inactive');
    await settled();
    expect(receiver.at(acme.path)).toHaveLength(before);
    await t.request(acme.user, { method: 'PATCH', url: `/api/v1/webhooks/${acme.endpointId}`, payload: { active: true } });
  });

  it('pings with the rotated secret: the old one no longer verifies', async () => {
    const initech = orgs['Initech Hooks']!;
    const rotated = await t.request(initech.user, { method: 'POST', url: `/api/v1/webhooks/${initech.endpointId}/rotate-secret` });
    const { secret } = rotated.json<WebhookEndpointWithSecret>();
    expect(secret).not.toBe(initech.secret);
    expect((await t.request(initech.user, { method: 'POST', url: `/api/v1/webhooks/${initech.endpointId}/ping` })).statusCode).toBe(202);
    const [ping] = await waitFor(
      'the ping',
      () => receiver.at(initech.path).filter((r) => r.headers['renkei-event'] === 'ping'),
      (r) => r.length === 1,
    );
    expect(verifies(ping!, secret)).toBe(true);
    expect(verifies(ping!, initech.secret)).toBe(false);
  });

  it('gives up after the limited number of attempts, each recorded', async () => {
    const { organisationId, user } = orgs['Initech Hooks']!;
    const created = await t.request(user, {
      method: 'POST',
      url: '/api/v1/webhooks',
      payload: { organisationId, url: receiver.url('/always-down'), events: ['case.shared'] },
    });
    const { endpoint } = created.json<WebhookEndpointWithSecret>();
    await t.request(user, { method: 'POST', url: `/api/v1/webhooks/${endpoint.id}/ping` });
    await settled();
    const [delivery] = (await t.request(user, { url: `/api/v1/webhooks/${endpoint.id}/deliveries` })).json<WebhookDelivery[]>();
    expect(delivery!.state).toBe('failed');
    expect(delivery!.attempts.map((a) => a.statusCode)).toEqual([503, 503, 503]);
    expect(receiver.at('/always-down')).toHaveLength(3);
  });
});

describe('who hears of a case', () => {
  it('tells the shared participants of the embargo, the advisory preview, the early release and the publication, and the one not yet shared nothing', async () => {
    const names = ['Acme Hooks', 'Globex Hooks', 'Initech Hooks'];
    for (const name of names) {
      const { user, endpointId } = orgs[name]!;
      const all = await t.request(user, { method: 'PATCH', url: `/api/v1/webhooks/${endpointId}`, payload: { events: [...WEBHOOK_EVENT_TYPES] } });
      expect(all.statusCode).toBe(200);
    }
    await settled();
    const before = Object.fromEntries(names.map((name) => [name, payloads(orgs[name]!.path).length]));
    const releaseAt = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 30 * 86_400_000).toISOString();
    const proposed = await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/embargo`, payload: { releaseAt } });
    expect(proposed.statusCode, proposed.body).toBe(201);
    const embargoId = proposed.json<{ id: string }>().id;
    const agreed = await t.request(coordinator, {
      method: 'POST',
      url: `/api/v1/cases/${caseId}/embargo/${embargoId}/decision`,
      payload: { decision: 'accepted' },
    });
    expect(agreed.statusCode, agreed.body).toBeLessThan(300);
    expect((await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/advisory` })).statusCode).toBeLessThan(300);
    const released = await t.request(coordinator, {
      method: 'POST',
      url: `/api/v1/cases/${caseId}/release-early`,
      payload: { reason: 'Exploited in the wild', exploitationSeen: true },
    });
    expect(released.statusCode, released.body).toBeLessThan(300);
    // Released with no approved advisory: approving it publishes at once.
    const approved = await t.request(admin, { method: 'POST', url: `/api/v1/cases/${caseId}/advisory/revisions/1/approve` });
    expect(approved.statusCode, approved.body).toBeLessThan(300);
    await settled();
    const since = (name: string) => payloads(orgs[name]!.path).slice(before[name]);
    for (const name of ['Acme Hooks', 'Globex Hooks']) {
      // One transaction's deliveries may arrive in any order: a receiver orders by `modified`.
      expect(
        since(name)
          .map((p) => p.type)
          .sort(),
      ).toEqual(['advisory.preview', 'advisory.preview', 'case.published', 'case.released_early', 'embargo.decided', 'embargo.proposed']);
      expect(since(name).find((p) => p.type === 'advisory.preview')!.url).toMatch(new RegExp(`/api/v1/cases/${caseId}/advisory/preview$`));
    }
    expect(since('Initech Hooks')).toEqual([]);
  });

  it('never reaches an organisation not on a case, over randomly shared cases', async () => {
    const names = ['Acme Hooks', 'Globex Hooks', 'Initech Hooks'];
    const sharedWith = new Map<string, Set<string>>();
    for (let i = 0; i < 5; i++) {
      const opened = await openCase(t, coordinator, `Random Product ${i}`);
      const chosen = new Set(names.filter(() => Math.random() < 0.5));
      for (const name of chosen) await addSharedVendor(t, coordinator, opened.caseId, orgs[name]!.organisationId);
      await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${opened.caseId}/messages`, payload: { body: `news ${i}` } });
      sharedWith.set(opened.caseId, chosen);
    }
    await settled();
    for (const name of names) {
      const seen = new Set(payloads(orgs[name]!.path).map((p) => p.caseId));
      for (const [id, chosen] of sharedWith) expect(seen.has(id), `${name} on ${id}`).toBe(chosen.has(name));
    }
  });
});
