import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { OUTSIDE_ROLES, type Role } from '@renkei/contract';
import { shadowserverCsv } from '../feeds/feeds-test-kit.ts';
import { type RouteSummary, routesOf } from '../app/http-app.ts';
import { systemContext } from '../policy/actor.ts';
import { seedVulnerabilityCase } from './isolation-vulnerabilities.ts';
import type { TestApp } from './test-app.ts';

/**
 * Proves over HTTP that an outside organisation sees none of another's rows: organisation A gets rows in
 * every domain (through the real services), then organisation B's users, one per outside role, and an
 * anonymous caller request every read route the app has registered (GET, and POST routes ending in
 * /search or /lookup), with each of A's identifiers in every path parameter and query field.
 */

interface Outsider {
  label: string;
  token: string | null;
}

/** What organisation A owns: every identifier, name and address that must never reach B. */
export interface SeededOrganisation {
  organisationId: string;
  /** Values to put in path parameters and query fields (ids, references, keys, names). */
  identifiers: string[];
  /** Strings that must not appear anywhere in a response to B (identifiers, names, e-mail addresses, titles). */
  secrets: string[];
}

const READ_POST = /\/(search|lookup)$/;
const PLACEHOLDER = '{{value}}';

/** A read route: every GET, and the POST routes that only search. */
export function isReadRoute(route: RouteSummary): boolean {
  return route.method === 'GET' || (route.method === 'POST' && READ_POST.test(route.url));
}

async function outsideUser(t: TestApp, role: Role, organisationId: string, tag: string): Promise<{ id: string; email: string; token: string }> {
  const email = `${role}-${tag}-${randomBytes(3).toString('hex')}@org-${tag}.example`;
  const user = await t.services.accounts.createUser(systemContext('test'), {
    email,
    displayName: `${role} of ${tag}`,
    password: `pw-${randomBytes(9).toString('base64url')}`,
    roles: [role],
    organisationId,
  });
  const { token } = await t.services.accounts.createToken(systemContext('test'), { name: 'isolation', roles: [role], expiresInDays: 1, userId: user.id });
  return { id: user.id, email, token };
}

/**
 * Organisation A with a user of every outside role and rows in each domain: its directory entry, a person
 * and a network; a report filed by its partner and an incident with A as the coordinated party; an
 * inbound mail from its person; feed events for its network and a notification to it; and a vulnerability
 * case A is a vendor on (shared with it, with its status and an embargo it proposed).
 */
export async function seedOrganisation(t: TestApp, marker: string): Promise<SeededOrganisation> {
  const system = systemContext('test');
  const net = `203.0.${10 + Math.floor(Math.random() * 200)}`;
  const org = await t.services.contacts.createOrganisation(system, {
    name: `Org ${marker}`,
    nameJa: `組織 ${marker}`,
    kind: 'isp',
    contactEmail: `noc@${marker}.example`,
  });
  const person = await t.services.contacts.createPerson(system, org.id, { name: `Person ${marker}`, email: `person@${marker}.example` });
  await t.services.contacts.addNetwork(system, org.id, { kind: 'ipv4', value: `${net}.0/24`, abuseEmail: `abuse@${marker}.example` });
  const users = await Promise.all(OUTSIDE_ROLES.map((role) => outsideUser(t, role, org.id, marker)));
  // A's product in the product-developer registry (its vendor's users see their own only).
  const product = (await t.services.vulnerabilities.createVendorProduct(system, { organisationId: org.id, name: `Product ${marker}`, keywords: [marker] })).row;

  // A report filed by A's partner over HTTP, the way an outside tool does it.
  const filed = await t.app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: { authorization: `Bearer ${users[OUTSIDE_ROLES.indexOf('partner')]!.token}` },
    payload: {
      title: `Report ${marker}`,
      description: `Phishing at http://${net}.7/login seen by ${marker}`,
      reporter: { name: `Reporter ${marker}`, email: `reporter@${marker}.example`, organisation: `Org ${marker}` },
    },
  });
  if (filed.statusCode !== 201) throw new Error(`seeding the report failed: ${filed.statusCode} ${filed.body}`);
  const report = filed.json<{ id: string; reference: string }>();
  const incident = await t.services.incidents.createIncident(system, { reportIds: [report.id], title: `Incident ${marker}` });
  const coordination = await t.services.incidents.createCoordination(system, incident.id, {
    organisationId: org.id,
    role: 'isp',
    contactEmail: `abuse@${marker}.example`,
  });

  const raw = [
    `From: Person ${marker} <person@${marker}.example>`,
    'To: report@test-csirt.example',
    `Subject: Mail ${marker}`,
    `Message-ID: <${marker}@${marker}.example>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Body ${marker}`,
    '',
  ].join('\r\n');
  const mail = await t.services.mail.receive(Readable.from([Buffer.from(raw)]), {
    mailFrom: `person@${marker}.example`,
    rcptTo: ['report@test-csirt.example'],
    clientAddress: null,
    source: 'smtp',
  });
  const message = await t.services.mail.getMessage(system, mail.id);

  const run = await t.services.feeds.ingestBuffer(
    system,
    `2026-11-25-scan_ntp-${marker}.csv`,
    shadowserverCsv([{ ip: `${net}.9`, hostname: `host.${marker}.example` }]),
    {
      format: 'shadowserver',
    },
  );
  // Without a relay the delivery fails, but the notification row (A's) is made first.
  const notified = await t.services.feeds.notifyDue(system, { force: true }).catch(() => ({ notifications: [] }));
  const notifications = (await t.services.feeds.listNotifications(system, { recipient: `abuse@${marker}.example` }, { offset: 0, limit: 10 })).items;
  const vulnerabilityCase = await seedVulnerabilityCase(t, marker, org.id, {
    reporter: users[OUTSIDE_ROLES.indexOf('reporter')]!.token,
    vendorUser: users[OUTSIDE_ROLES.indexOf('vendor_user')]!.token,
  });

  const identifiers = [
    org.id,
    person.id,
    report.id,
    report.reference,
    incident.id,
    incident.reference,
    coordination.id,
    coordination.threadKey,
    message.id,
    ...(message.threadKey ? [message.threadKey] : []),
    run.id,
    product.id,
    ...notifications.flatMap((n) => [n.id, n.key]),
    ...notified.notifications.map((n) => n.id),
    ...users.map((u) => u.id),
    ...vulnerabilityCase.identifiers,
    // Names, addresses and a host to search by.
    marker,
    `Org ${marker}`,
    `person@${marker}.example`,
    `abuse@${marker}.example`,
    `${net}.9`,
  ];
  const secrets = [
    ...identifiers,
    marker,
    `${net}.9`,
    `${net}.7`,
    ...users.map((u) => u.email),
    `noc@${marker}.example`,
    `abuse@${marker}.example`,
    `person@${marker}.example`,
    ...vulnerabilityCase.secrets,
  ];
  return { organisationId: org.id, identifiers: [...new Set(identifiers)], secrets: [...new Set(secrets)] };
}

/** Query fields a route's schema declares: each a string field or an enum (tried value by value). */
function queryFields(route: RouteSummary): { name: string; values: string[] | null }[] {
  const schema = route.schema?.querystring as { properties?: Record<string, { type?: string; enum?: unknown[]; anyOf?: { const?: unknown }[] }> } | undefined;
  return Object.entries(schema?.properties ?? {}).map(([name, property]) => {
    const enumValues = property.enum ?? property.anyOf?.map((option) => option.const).filter((v) => v !== undefined);
    return { name, values: enumValues && enumValues.length > 0 ? enumValues.map(String) : property.type === 'string' ? null : [] };
  });
}

interface Attempt {
  url: string;
  /** The values put in the URL, to be blanked out where the answer echoes them. */
  substituted: string[];
  /** The body of a POST search: each string field the value, each list field [value]. */
  payload?: Record<string, unknown>;
  /** The same request with random values of the same shape, for detail routes. */
  lookalike: { url: string; substituted: string[] } | null;
}

/** Every request to make of a route: path parameters filled with each value, then each query field. */
function requestsFor(route: RouteSummary, values: string[]): Attempt[] {
  const params = [...route.url.matchAll(/:([A-Za-z]+)|\*/g)].map((m) => m[0]);
  const base = route.url;
  if (params.length > 0) {
    // Each value in every parameter at once: a two-parameter route (message, part) is tried with each pair.
    const out: Attempt[] = [];
    const fill = (url: string, other: string, rest: string[], used: string[], fakes: string[]): void => {
      if (rest.length === 0) {
        out.push({ url, substituted: used, lookalike: { url: other, substituted: fakes } });
        return;
      }
      // A second parameter, or a wildcard (static files, the web app), gets fewer values: the first already has them all.
      const some = rest.length > 1 || rest[0] === '*' ? values.slice(0, 6) : values;
      for (const value of some) {
        const fake = lookalike(value);
        fill(
          url.replace(rest[0]!, encodeURIComponent(value)),
          other.replace(rest[0]!, encodeURIComponent(fake)),
          rest.slice(1),
          [...used, value],
          [...fakes, fake],
        );
      }
    };
    fill(base, base, params, [], []);
    return out;
  }
  if (route.method === 'POST') {
    const body = route.schema?.body as { properties?: Record<string, { type?: string }> } | undefined;
    const fill = (value: string) =>
      Object.fromEntries(
        Object.entries(body?.properties ?? {}).flatMap(([name, property]): [string, unknown][] =>
          property.type === 'array' ? [[name, [value]]] : property.type === 'string' ? [[name, value]] : [],
        ),
      );
    return values.map((value) => ({ url: base, substituted: [value], lookalike: null, payload: fill(value) }));
  }
  const out: Attempt[] = [{ url: base, substituted: [], lookalike: null }];
  for (const field of queryFields(route)) {
    const tries = field.values ?? values;
    for (const value of tries)
      out.push({ url: `${base}?${field.name}=${encodeURIComponent(value)}`, substituted: field.values ? [] : [value], lookalike: null });
  }
  return out;
}

/** A's secrets in the response, leaving out the values the caller itself sent (echoed in a "not found" message). */
function leaks(response: LightMyRequestResponse, secrets: readonly string[], sent: readonly string[]): string[] {
  const raw = `${response.statusCode}\n${JSON.stringify(response.headers)}\n${response.body}`;
  let echoed = raw;
  for (const value of sent) echoed = echoed.split(value).join(PLACEHOLDER).split(encodeURIComponent(value)).join(PLACEHOLDER);
  // A secret that is part of what was sent is looked for only outside the echo; any other anywhere.
  const textFor = (secret: string) => (sent.some((value) => value.toLowerCase().includes(secret.toLowerCase())) ? echoed : raw).toLowerCase();
  return secrets.filter((secret) => textFor(secret).includes(secret.toLowerCase()));
}

/** The same value with each letter and digit replaced at random by one of its kind: a random id of the same shape. */
function lookalike(value: string): string {
  const pick = (chars: string) => chars[randomBytes(1)[0]! % chars.length]!;
  return value.replace(/[0-9]|[a-f]|[g-z]|[A-Z]/g, (c) =>
    /[0-9]/.test(c)
      ? pick('0123456789')
      : /[a-f]/.test(c)
        ? pick('abcdef')
        : /[a-z]/.test(c)
          ? pick('ghijklmnopqrstuvwxyz')
          : pick('ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
  );
}

function normalised(response: LightMyRequestResponse, substituted: readonly string[]): string {
  // The same answer for A's row and a random one, but for the value itself echoed back (e.g. "No mapping named …")
  // and the request's own ID.
  let body = response.body.replace(/"requestId":"[^"]*"/g, '"requestId":""');
  for (const value of substituted) body = body.split(value).join(PLACEHOLDER).split(encodeURIComponent(value)).join(PLACEHOLDER);
  return `${response.statusCode} ${body}`;
}

function totalsOf(response: LightMyRequestResponse): string | null {
  if (response.statusCode !== 200 || !String(response.headers['content-type'] ?? '').includes('json')) return null;
  const json: unknown = response.json();
  if (Array.isArray(json)) return `items=${json.length}`;
  if (json && typeof json === 'object') {
    const record = json as Record<string, unknown>;
    const parts = ['total', 'items', 'answers']
      .filter((key) => key in record)
      .map((key) => `${key}=${Array.isArray(record[key]) ? (record[key] as unknown[]).length : JSON.stringify(record[key])}`);
    return parts.length > 0 ? parts.join(' ') : null;
  }
  return null;
}

/**
 * Asserts that organisation B's users (one per outside role) and an anonymous caller see nothing of
 * organisation A through any read route: no identifier, name or address of A's rows in any status, header
 * or body; a detail route answers for A's row exactly as for a random id (404 where the role may read the
 * kind); and list totals for B are the same before and after A's rows exist. Fails with every leak found.
 * @example await expectIsolation(t);
 */
export async function expectIsolation(t: TestApp, options: { marker?: string; roles?: readonly Role[] } = {}): Promise<{ requests: number; routes: number }> {
  const marker = options.marker ?? `iso${randomBytes(4).toString('hex')}`;
  // B's own names share nothing with A's marker, so anything of A's found is A's.
  const other = `other${randomBytes(4).toString('hex')}`;
  const orgB = await t.services.contacts.createOrganisation(systemContext('test'), { name: `Org ${other}`, kind: 'other' });
  const outsiders: Outsider[] = [
    ...(await Promise.all(
      (options.roles ?? OUTSIDE_ROLES).map(async (role) => ({ label: `B's ${role}`, token: (await outsideUser(t, role, orgB.id, other)).token })),
    )),
    { label: 'anonymous', token: null },
  ];
  const routes = routesOf(t.app).filter(isReadRoute);
  const ask = (outsider: Outsider, method: string, url: string, payload: Record<string, unknown> = {}): Promise<LightMyRequestResponse> => {
    const request: InjectOptions = {
      method: method === 'POST' ? 'POST' : 'GET',
      url,
      headers: outsider.token ? { authorization: `Bearer ${outsider.token}` } : {},
      ...(method === 'POST' ? { payload } : {}),
    };
    return t.app.inject(request);
  };

  // What B sees of each list before A has any rows: A's rows must not change it.
  const before = new Map<string, string | null>();
  for (const route of routes.filter((r) => !r.url.includes(':') && !r.url.includes('*') && r.url.startsWith('/api/')))
    for (const outsider of outsiders) before.set(`${outsider.label} ${route.method} ${route.url}`, totalsOf(await ask(outsider, route.method, route.url)));

  const a = await seedOrganisation(t, marker);
  const problems: string[] = [];
  let requests = 0;
  for (const route of routes) {
    for (const outsider of outsiders) {
      if (route.url.startsWith('/api/') && route.url.includes('/:') && outsider.token) {
        // Absent and forbidden are the same 404 on the API's detail routes (anonymous callers get 401 first).
        const random = await ask(
          outsider,
          route.method,
          route.url.replace(/:[A-Za-z]+/g, () => randomUUID()),
        );
        if (random.statusCode !== 404) problems.push(`${outsider.label}: ${route.method} ${route.url} with random ids → ${random.statusCode}, not 404`);
      }
      for (const attempt of requestsFor(route, a.identifiers)) {
        const response = await ask(outsider, route.method, attempt.url, attempt.payload);
        requests++;
        const found = leaks(response, a.secrets, attempt.substituted);
        if (found.length > 0) problems.push(`${outsider.label}: ${route.method} ${attempt.url} → ${response.statusCode} shows ${found.join(', ')}`);
        if (attempt.lookalike !== null) {
          // A detail read answers for A's row exactly as for a random id of the same shape.
          const answer = normalised(response, attempt.substituted);
          const otherAnswer = normalised(await ask(outsider, route.method, attempt.lookalike.url), attempt.lookalike.substituted);
          if (answer !== otherAnswer)
            problems.push(`${outsider.label}: ${route.method} ${attempt.url} → ${answer.slice(0, 160)}, but a random id → ${otherAnswer.slice(0, 160)}`);
        }
        // One rule for lists: a role that may list none of a kind gets 403, never a 404 that reads as "no rows here".
        if (attempt.url === route.url && route.url.startsWith('/api/') && outsider.token && response.statusCode === 404)
          problems.push(`${outsider.label}: ${route.method} ${route.url} (a list) → 404; expected 403 or 200`);
        const key = `${outsider.label} ${route.method} ${route.url}`;
        if (attempt.url === route.url && before.has(key) && before.get(key) !== totalsOf(response))
          problems.push(`${outsider.label}: ${route.method} ${route.url} counted ${totalsOf(response)} after A's rows, ${before.get(key)} before`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`organisation A's rows reached organisation B (${problems.length} problems):\n${problems.join('\n')}`);
  return { requests, routes: routes.length };
}
