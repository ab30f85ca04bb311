import type { InjectOptions } from 'fastify';
import { expect } from 'vitest';
import { ROLES, type Role } from '@renkei/contract';
import type { TestApp, TestUser } from './test-app.ts';

const usersByRole = new WeakMap<TestApp, Map<Role, TestUser>>();

async function userWithRole(t: TestApp, role: Role): Promise<TestUser> {
  let cache = usersByRole.get(t);
  if (!cache) usersByRole.set(t, (cache = new Map()));
  let user = cache.get(role);
  if (!user) cache.set(role, (user = await t.createUser([role])));
  return user;
}

/**
 * Asserts over HTTP who may make a request: each listed role gets past authorisation (no 401/403/404),
 * every other role gets 403 (404 for a detail read, `hidden: true`: a row it may not see answers as a
 * missing one), and an anonymous caller gets 401 (or what `anonymous` says).
 * `request` may be a function, to build a fresh request (a new ID, a new body) per role.
 * @example await expectAccess(t, { method: 'POST', url: '/api/v1/users', payload }, { allowed: ['admin'] });
 * @example await expectAccess(t, { url: `/api/v1/reports/${id}` }, { allowed: STAFF_ROLES, hidden: true });
 */
export async function expectAccess(
  t: TestApp,
  request: InjectOptions | ((role: Role | 'anonymous') => InjectOptions | Promise<InjectOptions>),
  rule: { allowed: readonly Role[]; anonymous?: 'denied' | 'allowed'; hidden?: boolean },
): Promise<void> {
  const denied = rule.hidden ? 404 : 403;
  const build = typeof request === 'function' ? request : () => request;
  const outcomes: string[] = [];
  for (const role of ROLES) {
    const response = await t.request(await userWithRole(t, role), await build(role));
    const allowed = rule.allowed.includes(role);
    const passed = allowed ? ![401, 403].includes(response.statusCode) && !(rule.hidden && response.statusCode === 404) : response.statusCode === denied;
    if (!passed) outcomes.push(`${role}: expected ${allowed ? 'allowed' : denied}, got ${response.statusCode} ${response.body.slice(0, 200)}`);
  }
  const anonymous = await t.request(null, await build('anonymous'));
  const anonymousAllowed = rule.anonymous === 'allowed';
  if (anonymousAllowed ? anonymous.statusCode === 401 || anonymous.statusCode === 403 : anonymous.statusCode !== 401) {
    outcomes.push(`anonymous: expected ${anonymousAllowed ? 'allowed' : '401'}, got ${anonymous.statusCode}`);
  }
  expect(outcomes, 'access rule violated').toEqual([]);
}
