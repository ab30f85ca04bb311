import { sql } from 'kysely';
import type { TestApp, TestUser } from '../testing/test-app.ts';
import { outsideOrganisationWithUser } from './vulnerabilities-test-kit.ts';

/**
 * A random world of vulnerability cases for the randomised isolation test: vendors, a partner coordinator,
 * a finder with an account, and cases built from a seeded generator, with what each actor should see.
 */

/**
 * A seeded generator in [0, 1) (mulberry32): the same seed builds the same world.
 * @example const random = seededRandom(42); random(); // 0.6011…
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Actor {
  label: string;
  user: TestUser | null;
  organisationId: string | null;
  kind: 'vendor' | 'partner' | 'finder' | 'subscriber' | 'unrelated' | 'anonymous' | 'staff';
  /** For a vendor: its index in `vendors`. */
  vendor?: number;
}

export interface WorldCase {
  id: string;
  reference: string;
  reportId: string;
  /** In every string of the case (titles, statements, reasons, the report): found anywhere, it is the case's. */
  tag: string;
  vulnerabilityIds: string[];
  /** Vendor index → its participant id, and whether the case is shared with it. */
  vendors: Map<number, { participantId: string; shared: boolean }>;
  partner: { participantId: string; shared: boolean } | null;
  finder: { participantId: string; shared: boolean } | null;
  embargoIds: string[];
}

export interface World {
  coordinator: TestUser;
  vendors: Actor[];
  /** In each vendor's name and in every statement written for it. */
  vendorTags: string[];
  actors: Actor[];
  cases: WorldCase[];
}

const hex = (random: () => number, length: number) => Array.from({ length }, () => '0123456789abcdef'[Math.floor(random() * 16)]).join('');

async function ok(response: { statusCode: number; body: string }, what: string, expected: number) {
  if (response.statusCode !== expected) throw new Error(`${what}: ${response.statusCode} ${response.body}`);
}

/** A participant that is not a vendor written as a row (a finder may be a single person, which `POST /cases/:id/participants` does not add), then shared over HTTP. */
async function addOtherParticipant(t: TestApp, caseId: string, row: { role: 'coordinator' | 'finder'; organisationId?: string; userId?: string }) {
  const inserted = await t.database.db
    .insertInto('case_participants')
    .values({ case_id: caseId, role: row.role, organisation_id: row.organisationId ?? null, user_id: row.userId ?? null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

async function makeActors(t: TestApp, random: () => number, vendorCount: number) {
  const coordinator = await t.createUser(['coordinator']);
  const vendorTags = Array.from({ length: vendorCount }, () => `vend${hex(random, 8)}`);
  const vendors: Actor[] = [];
  for (const [index, tag] of vendorTags.entries()) {
    const made = await outsideOrganisationWithUser(t, `Vendor ${tag}`);
    vendors.push({ label: `vendor ${index}`, user: made.user, organisationId: made.organisationId, kind: 'vendor', vendor: index });
  }
  const partner = await outsideOrganisationWithUser(t, `Partner CSIRT ${hex(random, 6)}`, { kind: 'csirt', role: 'partner' });
  const finder = await outsideOrganisationWithUser(t, `Finder Lab ${hex(random, 6)}`, { kind: 'other', role: 'reporter' });
  const subscriber = await outsideOrganisationWithUser(t, `Subscriber ${hex(random, 6)}`, { kind: 'subscriber', role: 'subscriber' });
  const unrelated = await outsideOrganisationWithUser(t, `Unrelated ${hex(random, 6)}`);
  const staff = await t.createUser(['analyst']);
  const actors: Actor[] = [
    ...vendors,
    { label: 'partner', user: partner.user, organisationId: partner.organisationId, kind: 'partner' },
    { label: 'finder', user: finder.user, organisationId: null, kind: 'finder' },
    { label: 'subscriber', user: subscriber.user, organisationId: subscriber.organisationId, kind: 'subscriber' },
    { label: 'unrelated vendor', user: unrelated.user, organisationId: unrelated.organisationId, kind: 'unrelated' },
    { label: 'anonymous', user: null, organisationId: null, kind: 'anonymous' },
    { label: 'staff (control)', user: staff, organisationId: null, kind: 'staff' },
  ];
  return { coordinator, vendors, vendorTags, actors, partner, finder };
}

/** One case: filed by the finder or the team, accepted, 1–3 vulnerabilities, random vendors (some shared), statuses, an embargo. */
async function makeCase(t: TestApp, random: () => number, index: number, people: Awaited<ReturnType<typeof makeActors>>): Promise<WorldCase> {
  const { coordinator, vendors, vendorTags } = people;
  const tag = `case${index}x${hex(random, 8)}`;
  const byFinder = random() < 0.5;
  const filed = await t.request(byFinder ? people.finder.user : coordinator, {
    method: 'POST',
    url: '/api/v1/vulnerability-reports',
    payload: { productName: `Product ${tag}`, description: `Overflow in ${tag}`, title: `Report ${tag}` },
  });
  await ok(filed, 'filing', 201);
  const reportId = filed.json<{ id: string }>().id;
  const accepted = await t.request(coordinator, {
    method: 'POST',
    url: `/api/v1/vulnerability-reports/${reportId}/accept`,
    payload: { title: `Case ${tag}`, titleJa: `案件 ${tag}` },
  });
  await ok(accepted, 'accepting', 201);
  const { id, reference } = accepted.json<{ id: string; reference: string }>();
  const vulnerabilityIds: string[] = [];
  for (let v = 0, n = 1 + Math.floor(random() * 3); v < n; v++) {
    const made = await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${id}/vulnerabilities`, payload: { title: `${tag} flaw ${v}` } });
    await ok(made, 'adding a vulnerability', 201);
    vulnerabilityIds.push(made.json<{ id: string }>().id);
  }
  const share = (participantId: string) => t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${id}/participants/${participantId}/share` });
  const chosen = new Map<number, { participantId: string; shared: boolean }>();
  for (const vendor of vendors) {
    // The first case always holds vendor 0 added but not shared and vendor 1 shared: whatever the seed, some
    // vendor is on a case it must not see yet, and some vendor sees one.
    const forced = index === 0 && vendor.vendor! < 2;
    if (random() >= 0.5 && !forced) continue;
    const added = await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${id}/vendors`, payload: { organisationId: vendor.organisationId } });
    await ok(added, 'adding a vendor', 201);
    const participantId = added.json<{ participantId: string }>().participantId;
    const shared = forced ? vendor.vendor === 1 : random() < 0.7;
    if (shared) await ok(await share(participantId), 'sharing', 204);
    chosen.set(vendor.vendor!, { participantId, shared });
  }
  // Every vendor on the case gets a statement naming it: by itself when shared (mostly), else by the team.
  for (const [v, { shared }] of chosen) {
    const byVendor = shared && random() < 0.8;
    const statuses = vulnerabilityIds.map((vulnerabilityId) => ({
      vulnerabilityId,
      ...(byVendor ? {} : { organisationId: vendors[v]!.organisationId }),
      status: 'vulnerable',
      statement: `${tag} statement of ${vendorTags[v]}`,
      statementJa: `${tag} の声明 ${vendorTags[v]}`,
    }));
    await ok(
      await t.request(byVendor ? vendors[v]!.user : coordinator, { method: 'PUT', url: `/api/v1/cases/${id}/statuses`, payload: { statuses } }),
      'status',
      200,
    );
  }
  const other = async (role: 'coordinator' | 'finder', row: { organisationId?: string; userId?: string }) => {
    const participantId = await addOtherParticipant(t, id, { role, ...row });
    const shared = random() < 0.6;
    if (shared) await ok(await share(participantId), 'sharing', 204);
    return { participantId, shared };
  };
  const partner = random() < 0.6 ? await other('coordinator', { organisationId: people.partner.organisationId }) : null;
  const finder = byFinder ? await other('finder', { userId: people.finder.user.id }) : null;
  const embargoIds = await makeEmbargo(t, random, { id, tag, coordinator, vendors, chosen });
  return { id, reference, reportId, tag, vulnerabilityIds, vendors: chosen, partner, finder, embargoIds };
}

/** An embargo proposed by a shared vendor (or the team), another shared vendor accepting it. */
async function makeEmbargo(
  t: TestApp,
  random: () => number,
  c: { id: string; tag: string; coordinator: TestUser; vendors: Actor[]; chosen: Map<number, { shared: boolean }> },
): Promise<string[]> {
  const shared = [...c.chosen].filter(([, p]) => p.shared).map(([v]) => c.vendors[v]!.user!);
  const releaseAt = new Date(Date.now() + (20 + Math.floor(random() * 40)) * 86_400_000);
  releaseAt.setUTCSeconds(0, 0);
  const proposer = shared.length > 0 && random() < 0.7 ? shared[Math.floor(random() * shared.length)]! : c.coordinator;
  const proposed = await t.request(proposer, {
    method: 'POST',
    url: `/api/v1/cases/${c.id}/embargo`,
    payload: { releaseAt: releaseAt.toISOString(), reason: `${c.tag} embargo reason` },
  });
  await ok(proposed, 'proposing', 201);
  const embargoId = proposed.json<{ id: string }>().id;
  const decider = shared.find((u) => u !== proposer);
  if (decider) {
    const decided = await t.request(decider, { method: 'POST', url: `/api/v1/cases/${c.id}/embargo/${embargoId}/decision`, payload: { decision: 'accepted' } });
    await ok(decided, 'deciding', 200);
  }
  return [embargoId];
}

/**
 * Builds the world: `vendorCount` vendors with a user each, a partner coordinator, a finder with an account,
 * a subscriber, an unrelated vendor, a staff user, and `caseCount` random cases.
 * @example const world = await buildWorld(t, seededRandom(42), { cases: 6, vendors: 5 });
 */
export async function buildWorld(t: TestApp, random: () => number, size: { cases: number; vendors: number }): Promise<World> {
  const people = await makeActors(t, random, size.vendors);
  const cases: WorldCase[] = [];
  for (let k = 0; k < size.cases; k++) cases.push(await makeCase(t, random, k, people));
  return { coordinator: people.coordinator, vendors: people.vendors, vendorTags: people.vendorTags, actors: people.actors, cases };
}

/** Whether the actor should see the case: staff always; a participant only when its row is shared. */
export function sees(actor: Actor, c: WorldCase): boolean {
  if (actor.kind === 'staff') return true;
  if (actor.kind === 'vendor') return c.vendors.get(actor.vendor!)?.shared ?? false;
  if (actor.kind === 'partner') return c.partner?.shared ?? false;
  if (actor.kind === 'finder') return c.finder?.shared ?? false;
  return false;
}

/**
 * Strings that must never reach the actor: the tag of every case it does not see, and the tags of vendors
 * it may not name (every other vendor for a vendor or the finder; for the partner, vendors on none of its cases).
 */
export function forbiddenFor(actor: Actor, world: World): string[] {
  if (actor.kind === 'staff') return [];
  const visible = world.cases.filter((c) => sees(actor, c));
  const hiddenCases = world.cases.filter((c) => !sees(actor, c)).map((c) => c.tag);
  const namable = new Set<number>(actor.kind === 'vendor' ? [actor.vendor!] : []);
  if (actor.kind === 'partner') for (const c of visible) for (const v of c.vendors.keys()) namable.add(v);
  return [...hiddenCases, ...world.vendorTags.filter((_, v) => !namable.has(v))];
}

/**
 * A digest of every row of each case (the case, vulnerabilities, participants, statuses, embargoes and their
 * decisions, the timeline) and of the finders' reports: equal digests, nothing changed.
 */
export async function digests(t: TestApp): Promise<Map<string, string>> {
  const rows = await sql<{ id: string; digest: string }>`
    SELECT c.id::text AS id, md5(concat_ws('|', c::text,
      (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM case_vulnerabilities x WHERE x.case_id = c.id),
      (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM case_participants x WHERE x.case_id = c.id),
      (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM vendor_statuses x WHERE x.case_id = c.id),
      (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM case_embargoes x WHERE x.case_id = c.id),
      (SELECT string_agg(d::text, ',' ORDER BY d::text) FROM case_embargo_decisions d JOIN case_embargoes e ON e.id = d.embargo_id WHERE e.case_id = c.id),
      (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM case_events x WHERE x.case_id = c.id))) AS digest
    FROM vulnerability_cases c
    UNION ALL
    SELECT 'reports', md5(coalesce(string_agg(r::text, ',' ORDER BY r.id), '')) FROM vulnerability_reports r`.execute(t.database.db);
  return new Map(rows.rows.map((r) => [r.id, r.digest]));
}
