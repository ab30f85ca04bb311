import type { Role } from '@renkei/contract';
import { type AppError, ForbiddenError, UnauthenticatedError } from '../kernel/errors.ts';
import type { Actor, UserActor } from './actor.ts';
import { ALL, NOTHING, type Scope, isEmptyScope } from './scope.ts';

/**
 * Who sees which rows of a kind, for list, search, export, count and detail reads. The first that applies
 * wins: a role in `all` sees every row; in `organisation`, its organisations' rows; in `participant`, the
 * rows of cases it takes part in; `public`, published rows for anyone. Otherwise nothing.
 */
export interface VisibilityRule {
  readonly visibility: {
    readonly all?: readonly Role[];
    readonly organisation?: readonly Role[];
    readonly participant?: readonly Role[];
    readonly public?: boolean;
  };
}

/**
 * Declares the visibility of a kind of row in a policy.
 * @example definePolicy('incidents', { 'reports.read': visibleTo({ all: STAFF_ROLES, organisation: ['partner'] }) })
 */
export function visibleTo(visibility: VisibilityRule['visibility']): VisibilityRule {
  return { visibility };
}

/** A rule: the roles that may act, a predicate over the actor and the resource, or a visibility (rows it may see). */
export type Rule<R = never> = readonly Role[] | ((actor: UserActor, resource: R) => boolean) | VisibilityRule;

type ResourceOf<T> = T extends (...args: infer P) => boolean ? (P extends [unknown, infer R] ? [resource: R] : []) : [];

export interface Policy<T extends Record<string, Rule<never>>> {
  readonly domain: string;
  readonly rules: T;
  /** True when the actor may perform the action (on the resource, for predicate rules). */
  can<K extends keyof T & string>(actor: Actor, action: K, ...resource: ResourceOf<T[K]>): boolean;
  /** Throws UnauthenticatedError for anonymous actors and ForbiddenError for those not allowed. */
  authorize<K extends keyof T & string>(actor: Actor, action: K, ...resource: ResourceOf<T[K]>): void;
  /** The rows of the kind the actor may see; a role list is `all` for its roles and `none` for others. */
  scope<K extends ScopedAction<T>>(actor: Actor, action: K): Scope;
  /**
   * For a list, search, export or count: the scope, or 403 when the actor's role sees none of this kind
   * (401 when anonymous). A role that may list some rows gets 200 with only those; never a 404.
   */
  listScope<K extends ScopedAction<T>>(actor: Actor, action: K): Scope;
  /**
   * For a detail read: the scope to find the row in, or the domain's own not-found error when the actor
   * sees none of this kind, so a hidden row answers exactly as a missing one (401 when anonymous).
   */
  detailScope<K extends ScopedAction<T>>(actor: Actor, action: K, notFound: () => AppError): Scope;
}

/** Actions whose rule needs no resource: role lists and visibilities. */
type ScopedAction<T> = { [K in keyof T & string]: T[K] extends (...args: never[]) => boolean ? never : K }[keyof T & string];

/**
 * Declares a domain's permissions in one place; services call `authorize` before acting.
 * @example
 * const policy = definePolicy('accounts', { 'users.create': ['admin'], 'me.read': (actor, user: { id: string }) => actor.userId === user.id });
 * policy.authorize(ctx.actor, 'users.create');
 */
export function definePolicy<T extends Record<string, Rule<never>>>(domain: string, rules: T): Policy<T> {
  const scope = (actor: Actor, action: keyof T & string): Scope => {
    if (actor.kind === 'system') return ALL;
    const rule = rules[action] as Rule<unknown> | undefined;
    if (!rule || typeof rule === 'function') return NOTHING;
    if (!('visibility' in rule)) return actor.kind === 'user' && hasAnyRole(actor, rule) ? ALL : NOTHING;
    const v = rule.visibility;
    if (actor.kind === 'anonymous') return v.public ? { kind: 'public' } : NOTHING;
    if (v.all && hasAnyRole(actor, v.all)) return ALL;
    const organisationIds = [...new Set(actor.memberships.map((m) => m.organisationId))];
    if (v.organisation && hasAnyRole(actor, v.organisation)) return { kind: 'organisations', organisationIds };
    if (v.participant && hasAnyRole(actor, v.participant)) return { kind: 'participant', userId: actor.userId, organisationIds };
    return v.public ? { kind: 'public' } : NOTHING;
  };
  const can = (actor: Actor, action: keyof T & string, resource?: unknown): boolean => {
    if (actor.kind === 'system') return true;
    if (actor.kind === 'anonymous') return false;
    const rule = rules[action] as Rule<unknown> | undefined;
    if (!rule) return false;
    if (typeof rule === 'function') return rule(actor, resource);
    if ('visibility' in rule) return !isEmptyScope(scope(actor, action));
    return rule.some((role) => actor.roles.has(role));
  };
  const forbidden = (action: string) => new ForbiddenError('forbidden', `Your role does not allow ${domain}: ${action}`);
  return {
    domain,
    rules,
    can: (actor, action, ...resource) => can(actor, action, resource[0]),
    authorize: (actor, action, ...resource) => {
      if (actor.kind === 'anonymous') throw new UnauthenticatedError();
      if (!can(actor, action, resource[0])) throw forbidden(action);
    },
    scope,
    listScope: (actor, action) => {
      const found = scope(actor, action);
      if (found.kind !== 'none') return found;
      throw actor.kind === 'anonymous' ? new UnauthenticatedError() : forbidden(action);
    },
    detailScope: (actor, action, notFound) => {
      const found = scope(actor, action);
      if (found.kind === 'none' && actor.kind === 'anonymous') throw new UnauthenticatedError();
      if (isEmptyScope(found)) throw notFound();
      return found;
    },
  };
}

/** True when the actor holds any of the roles. */
export function hasAnyRole(actor: UserActor, roles: readonly Role[]): boolean {
  return roles.some((role) => actor.roles.has(role));
}
