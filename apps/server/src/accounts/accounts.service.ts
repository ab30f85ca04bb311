import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import { createActorResolver } from './account-actors.ts';
import { createProfile } from './profile.service.ts';
import { createSessions } from './sessions.service.ts';
import { createUsers } from './users.service.ts';

export { LOCKOUT_MINUTES, type LoginInput, MAX_FAILED_LOGINS } from './sessions.service.ts';
export type { SessionInfo } from '../http/auth.ts';
export type { ApiTokenView } from './users.service.ts';

export type AccountsService = ReturnType<typeof createAccountsService>;

/**
 * Accounts: one facade over sessions (login, lock-out, cookies and tokens resolved to actors), the
 * caller's profile and TOTP, and users with their API tokens.
 * @example const accounts = createAccountsService(db, { sessionTtlHours: 12, issuer: 'Renkei' });
 */
export function createAccountsService(db: Kysely<Schema>, options: { sessionTtlHours: number; issuer: string }) {
  const actors = createActorResolver(db);
  return { ...createSessions(db, actors, options), ...createProfile(db, actors, options), ...createUsers(db) };
}
