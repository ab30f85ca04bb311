import type { Role } from '@renkei/contract';
import { ForbiddenError, UnauthenticatedError } from '../kernel/errors.ts';
import type { Actor, UserActor } from './actor.ts';

/** A rule: the roles that may act, or a predicate over the actor and the resource. */
export type Rule<R = never> = readonly Role[] | ((actor: UserActor, resource: R) => boolean);

type ResourceOf<T> = T extends (...args: infer P) => boolean ? (P extends [unknown, infer R] ? [resource: R] : []) : [];

export interface Policy<T extends Record<string, Rule<never>>> {
  readonly domain: string;
  readonly rules: T;
  /** True when the actor may perform the action (on the resource, for predicate rules). */
  can<K extends keyof T & string>(actor: Actor, action: K, ...resource: ResourceOf<T[K]>): boolean;
  /** Throws UnauthenticatedError for anonymous actors and ForbiddenError for those not allowed. */
  authorize<K extends keyof T & string>(actor: Actor, action: K, ...resource: ResourceOf<T[K]>): void;
}

/**
 * Declares a domain's permissions in one place; services call `authorize` before acting.
 * @example
 * const policy = definePolicy('accounts', { 'users.create': ['admin'], 'me.read': (actor, user: { id: string }) => actor.userId === user.id });
 * policy.authorize(ctx.actor, 'users.create');
 */
export function definePolicy<T extends Record<string, Rule<never>>>(domain: string, rules: T): Policy<T> {
  const can = (actor: Actor, action: keyof T & string, resource?: unknown): boolean => {
    if (actor.kind === 'system') return true;
    if (actor.kind === 'anonymous') return false;
    const rule = rules[action] as Rule<unknown> | undefined;
    if (!rule) return false;
    if (typeof rule === 'function') return rule(actor, resource);
    return rule.some((role) => actor.roles.has(role));
  };
  return {
    domain,
    rules,
    can: (actor, action, ...resource) => can(actor, action, resource[0]),
    authorize: (actor, action, ...resource) => {
      if (actor.kind === 'anonymous') throw new UnauthenticatedError();
      if (!can(actor, action, resource[0])) throw new ForbiddenError('forbidden', `Your role does not allow ${domain}: ${action}`);
    },
  };
}

/** True when the actor holds any of the roles. */
export function hasAnyRole(actor: UserActor, roles: readonly Role[]): boolean {
  return roles.some((role) => actor.roles.has(role));
}
