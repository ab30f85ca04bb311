import { definePolicy, visibleTo } from '../policy/define-policy.ts';

/** Who may manage accounts. Everyone signed in manages their own profile, TOTP and tokens. */
export const accountsPolicy = definePolicy('accounts', {
  'users.list': visibleTo({ all: ['admin'] }),
  'users.create': ['admin'],
  'users.disable': ['admin'],
  'organisations.list': ['admin', 'coordinator', 'analyst', 'publisher'],
  /** Tokens act for their user, so only sessions may make them; a token cannot mint another. */
  'tokens.manage': (actor) => actor.via === 'session',
});
