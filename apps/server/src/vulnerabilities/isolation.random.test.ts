import { randomInt, randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseDetail, CaseSummary } from '@renkei/contract';

type CasePage = { items: CaseSummary[]; total: number };
import { type TestApp, createTestApp } from '../testing/test-app.ts';
import { type Actor, type World, type WorldCase, buildWorld, digests, forbiddenFor, seededRandom, sees } from './case-world-test-kit.ts';

// Reproduce a failure with RENKEI_ISOLATION_SEED=<the printed seed>.
const SEED = process.env.RENKEI_ISOLATION_SEED ? Number(process.env.RENKEI_ISOLATION_SEED) : randomInt(2 ** 31);
const ABSENT = randomUUID();

let t: TestApp;
let world: World;
let startedAt: string;

beforeAll(async () => {
  console.log(`randomised isolation: seed ${SEED} (set RENKEI_ISOLATION_SEED=${SEED} to repeat this run)`);
  t = await createTestApp();
  startedAt = new Date(Date.now() - 60_000).toISOString();
  world = await buildWorld(t, seededRandom(SEED), { cases: 6, vendors: 5 });
}, 120_000);
afterAll(async () => {
  await t?.close();
});

interface Attempt {
  method?: 'GET' | 'POST' | 'PUT';
  url: string;
  payload?: Record<string, unknown>;
}

/** One actor's requests; every answer is searched for strings the actor must not see. */
interface Sweep {
  actor: Actor;
  problems: string[];
  ask(options: Attempt): Promise<LightMyRequestResponse>;
}

function sweep(actor: Actor): Sweep {
  const problems: string[] = [];
  const forbidden = forbiddenFor(actor, world);
  return {
    actor,
    problems,
    async ask(options) {
      const response = await t.request(actor.user, options);
      const text = `${response.statusCode} ${JSON.stringify(response.headers)} ${response.body}`.toLowerCase();
      const found = forbidden.filter((secret) => text.includes(secret.toLowerCase()));
      if (found.length > 0) problems.push(`${options.method ?? 'GET'} ${options.url} → ${response.statusCode} shows ${found.join(', ')}`);
      if (response.statusCode >= 500) problems.push(`${options.method ?? 'GET'} ${options.url} → ${response.statusCode} ${response.body.slice(0, 200)}`);
      return response;
    },
  };
}

const errorOf = (response: LightMyRequestResponse) => {
  const body = response.json<{ error?: { code?: string; message?: string } }>();
  return `${response.statusCode} ${body.error?.code} ${body.error?.message}`;
};

/** The list, the change feed and a search per case: exactly the shared cases, their count as the total. */
async function checkLists(s: Sweep): Promise<void> {
  const expected = world.cases.filter((c) => sees(s.actor, c)).map((c) => c.id);
  const mayList = ['vendor', 'partner', 'finder', 'unrelated', 'staff'].includes(s.actor.kind);
  const queries = ['limit=500', `since=${encodeURIComponent(startedAt)}&limit=500`];
  for (const query of queries) {
    const list = await s.ask({ url: `/api/v1/cases?${query}` });
    if (!mayList) {
      if (list.statusCode !== (s.actor.user ? 403 : 401)) s.problems.push(`GET /api/v1/cases?${query} → ${list.statusCode}, expected 401/403`);
      continue;
    }
    const page = list.json<CasePage>();
    const ids = page.items.map((c) => c.id).sort();
    if (JSON.stringify(ids) !== JSON.stringify([...expected].sort()) || page.total !== expected.length)
      s.problems.push(`GET /api/v1/cases?${query} → ${ids.length} items, total ${page.total}; expected ${expected.length}`);
  }
  if (!mayList) return;
  for (const c of world.cases) {
    const found = (await s.ask({ url: `/api/v1/cases?q=${c.tag}` })).json<CasePage>();
    const want = sees(s.actor, c) ? 1 : 0;
    if (found.total !== want || found.items.length !== want)
      s.problems.push(`GET /api/v1/cases?q=<case ${c.reference}> → total ${found.total}, expected ${want}`);
  }
}

/** The case page: the actor's own rows only on a shared case; elsewhere the same 404 as an absent case. */
async function checkDetails(s: Sweep): Promise<void> {
  const absent = errorOf(await s.ask({ url: `/api/v1/cases/${ABSENT}` }));
  for (const c of world.cases) {
    const response = await s.ask({ url: `/api/v1/cases/${c.id}` });
    if (!sees(s.actor, c)) {
      if (response.statusCode !== (s.actor.user ? 404 : 401) || errorOf(response) !== absent)
        s.problems.push(`GET /api/v1/cases/<${c.reference}> → ${errorOf(response)}, but an absent case → ${absent}`);
      continue;
    }
    if (response.statusCode !== 200) {
      s.problems.push(`GET /api/v1/cases/<${c.reference}> (shared) → ${response.statusCode}`);
      continue;
    }
    const detail = response.json<CaseDetail>();
    if (s.actor.kind === 'vendor') {
      // The positive side of the check: the vendor does see its own statement and its own row.
      const own = world.vendorTags[s.actor.vendor!]!;
      if (!detail.statuses.some((row) => row.statement.includes(own))) s.problems.push(`GET /api/v1/cases/<${c.reference}> lacks the vendor's own statement`);
      if (detail.participants.length !== 1 || detail.statuses.some((row) => row.organisationId !== s.actor.organisationId))
        s.problems.push(`GET /api/v1/cases/<${c.reference}> shows rows of other participants`);
    }
    if (s.actor.kind === 'staff' || s.actor.kind === 'partner') {
      const names = JSON.stringify(detail.participants);
      for (const v of c.vendors.keys())
        if (!names.includes(world.vendorTags[v]!)) s.problems.push(`GET /api/v1/cases/<${c.reference}> lacks vendor ${v}, which the ${s.actor.label} sees`);
    }
  }
}

/** Each change route tried on a case; the same request on an absent case answers the same. */
function changes(s: Sweep, c: WorldCase | null): { label: string; options: Attempt }[] {
  const id = c?.id ?? ABSENT;
  const vulnerabilityId = c?.vulnerabilityIds[0] ?? randomUUID();
  const own = s.actor.vendor !== undefined ? c?.vendors.get(s.actor.vendor) : undefined;
  // The most tempting participant to share: the actor's own unshared row, else any.
  const participantId = own?.participantId ?? c?.vendors.values().next().value?.participantId ?? c?.partner?.participantId ?? randomUUID();
  const embargoId = c?.embargoIds[0] ?? randomUUID();
  return [
    {
      label: 'PUT statuses',
      options: {
        method: 'PUT',
        url: `/api/v1/cases/${id}/statuses`,
        payload: { statuses: [{ vulnerabilityId, status: 'not_vulnerable', statement: 'attack' }] },
      },
    },
    { label: 'POST embargo', options: { method: 'POST', url: `/api/v1/cases/${id}/embargo`, payload: { releaseAt: '2031-01-01T00:00:00Z' } } },
    { label: 'POST decision', options: { method: 'POST', url: `/api/v1/cases/${id}/embargo/${embargoId}/decision`, payload: { decision: 'rejected' } } },
    {
      label: 'POST vendors',
      options: { method: 'POST', url: `/api/v1/cases/${id}/vendors`, payload: { organisationId: s.actor.organisationId ?? world.vendors[0]!.organisationId } },
    },
    { label: 'POST share', options: { method: 'POST', url: `/api/v1/cases/${id}/participants/${participantId}/share` } },
    { label: 'POST vulnerabilities', options: { method: 'POST', url: `/api/v1/cases/${id}/vulnerabilities`, payload: { title: 'attack' } } },
  ];
}

/** Every change route on every case the actor is not on: the absent case's answer (404, or 401/403 for the role), and no row moves. */
async function checkChanges(s: Sweep): Promise<void> {
  const absent = new Map<string, string>();
  for (const change of changes(s, null)) absent.set(change.label, errorOf(await s.ask(change.options)));
  const before = await digests(t);
  for (const c of world.cases.filter((x) => !sees(s.actor, x))) {
    for (const change of changes(s, c)) {
      const answer = errorOf(await s.ask(change.options));
      if (answer !== absent.get(change.label) || !/^(401|403|404) /.test(answer))
        s.problems.push(`${change.label} on <${c.reference}> → ${answer}, but on an absent case → ${absent.get(change.label)}`);
    }
  }
  const after = await digests(t);
  for (const c of world.cases.filter((x) => !sees(s.actor, x)))
    if (before.get(c.id) !== after.get(c.id)) s.problems.push(`the rows of <${c.reference}> changed after the ${s.actor.label}'s attempts`);
  if (before.get('reports') !== after.get('reports')) s.problems.push(`the finders' reports changed after the ${s.actor.label}'s attempts`);
}

/** The report routes: the team's alone; to anyone else a report answers as an absent one does. */
async function checkReports(s: Sweep): Promise<void> {
  const list = await s.ask({ url: '/api/v1/vulnerability-reports?limit=200' });
  if (list.statusCode !== (s.actor.user ? 403 : 401)) s.problems.push(`GET /api/v1/vulnerability-reports → ${list.statusCode}`);
  const before = await digests(t);
  const tries = (id: string) => [
    { method: 'GET' as const, url: `/api/v1/vulnerability-reports/${id}` },
    { method: 'POST' as const, url: `/api/v1/vulnerability-reports/${id}/accept`, payload: { title: 'attack' } },
    { method: 'POST' as const, url: `/api/v1/vulnerability-reports/${id}/decline`, payload: { reason: 'attack' } },
  ];
  const absent = await Promise.all(tries(ABSENT).map(async (options) => errorOf(await s.ask(options))));
  for (const c of world.cases) {
    for (const [index, options] of tries(c.reportId).entries()) {
      const answer = errorOf(await s.ask(options));
      if (answer !== absent[index]) s.problems.push(`${options.method} report of <${c.reference}> → ${answer}, but an absent report → ${absent[index]}`);
    }
  }
  const after = await digests(t);
  if (JSON.stringify([...before]) !== JSON.stringify([...after])) s.problems.push(`rows changed after the ${s.actor.label}'s attempts on reports`);
}

describe('randomised isolation of vulnerability cases', () => {
  it('shows every actor exactly the cases shared with it, and nothing of any other, through every case and report route', async () => {
    const problems: string[] = [];
    for (const actor of world.actors) {
      const s = sweep(actor);
      await checkLists(s);
      await checkDetails(s);
      if (actor.kind !== 'staff') {
        await checkChanges(s);
        await checkReports(s);
      }
      problems.push(...s.problems.map((p) => `${actor.label}: ${p}`));
    }
    expect(problems, `seed ${SEED}`).toEqual([]);
  }, 120_000);

  it('built a world where the check can fail: a vendor added to a case not shared with it, and cases hidden from and shown to vendors', () => {
    const vendors = world.actors.filter((a) => a.kind === 'vendor');
    const shared = vendors.map((v) => world.cases.filter((c) => sees(v, c)).length);
    expect(
      shared.some((n) => n > 0),
      `seed ${SEED}`,
    ).toBe(true);
    expect(
      shared.some((n) => n < world.cases.length),
      `seed ${SEED}`,
    ).toBe(true);
    expect(world.cases.some((c) => [...c.vendors.values()].some((p) => !p.shared))).toBe(true);
  });
});
