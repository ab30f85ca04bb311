import type { Role } from '@renkei/contract';

export interface MembershipRef {
  organisationId: string;
  organisationName: string;
  role: Role;
}

/** A person acting through a session or an API token. */
export interface UserActor {
  kind: 'user';
  userId: string;
  email: string;
  /** Roles in force: for a token, the token's roles that its user still holds. */
  roles: ReadonlySet<Role>;
  memberships: readonly MembershipRef[];
  via: 'session' | 'token';
  /** Set when acting through an API token. */
  tokenId: string | null;
}

/** Renkei itself: the CLI, jobs, migrations. Allowed everything; still audited under its label. */
export interface SystemActor {
  kind: 'system';
  label: string;
}

export interface AnonymousActor {
  kind: 'anonymous';
}

export type Actor = UserActor | SystemActor | AnonymousActor;

/** Who is asking, and from where: passed to every service call that changes state or reads protected data. */
export interface RequestContext {
  actor: Actor;
  ip: string | null;
  requestId: string | null;
}

export const ANONYMOUS: AnonymousActor = { kind: 'anonymous' };

export function systemContext(label: string): RequestContext {
  return { actor: { kind: 'system', label }, ip: null, requestId: null };
}

export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'user':
      return actor.via === 'token' ? `${actor.email} (token)` : actor.email;
    case 'system':
      return actor.label;
    case 'anonymous':
      return 'anonymous';
  }
}

export function actorId(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.userId : null;
}
