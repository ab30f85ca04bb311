import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Me } from '@renkei/contract';
import type { Schema } from '../db/schema/index.ts';
import { UnauthenticatedError } from '../kernel/errors.ts';
import type { RequestContext, UserActor } from '../policy/actor.ts';
import { type UserRow, findUserById, membershipsOf, rolesOf, userRowToUser } from './accounts.repository.ts';

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

export function requireUser(ctx: RequestContext): UserActor {
  if (ctx.actor.kind !== 'user') throw new UnauthenticatedError();
  return ctx.actor;
}

export type ActorResolver = ReturnType<typeof createActorResolver>;

/** Who a user is for a request (roles from memberships, capped by a token's roles), and their `Me`. */
export function createActorResolver(db: Kysely<Schema>) {
  // The user row read while resolving a request's actor, so `me` does not read it a second time.
  // Keyed by the actor object, which lives as long as its request.
  const rowOfActor = new WeakMap<UserActor, UserRow>();

  async function actorFor(userId: string, via: 'session' | 'token', tokenId: string | null, tokenRoles?: readonly string[]): Promise<UserActor | null> {
    const user = await findUserById(db, userId);
    if (!user || user.disabled_at) return null;
    const memberships = (await membershipsOf(db, [userId])).get(userId) ?? [];
    let roles = rolesOf(memberships);
    // A token's roles are a ceiling: losing a role takes it from the user's tokens too.
    if (tokenRoles) roles = new Set([...roles].filter((role) => tokenRoles.includes(role)));
    const actor: UserActor = { kind: 'user', userId, email: user.email, roles, memberships, via, tokenId };
    rowOfActor.set(actor, user);
    return actor;
  }

  async function toMe(actor: UserActor, csrfToken: string | null, current?: UserRow): Promise<Me> {
    const row = current ?? (await findUserById(db, actor.userId));
    if (!row) throw new UnauthenticatedError();
    const user = userRowToUser(row, [...actor.memberships]);
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      locale: user.locale,
      timeZone: user.timeZone,
      totpEnabled: user.totpEnabled,
      roles: [...actor.roles],
      memberships: user.memberships,
      csrfToken,
    };
  }

  return { actorFor, toMe, rowOf: (actor: UserActor) => rowOfActor.get(actor) };
}
