import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Locale, type Me, type Role, isRole, isStaffRole } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../kernel/errors.ts';
import type { RequestContext, UserActor } from '../policy/actor.ts';
import { scopeWhere } from '../policy/scope.ts';
import { accountsPolicy } from './accounts.policy.ts';
import {
  type User,
  type UserRow,
  claimLogin,
  claimTotpStep,
  findUserByEmail,
  recordFailedLogin,
  findUserById,
  membershipsOf,
  rolesOf,
  selfOrganisation,
  userRowToUser,
} from './accounts.repository.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './password.ts';
import { generateTotpSecret, matchTotp, otpauthUri } from './totp.ts';
import type { SessionInfo } from '../http/auth.ts';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;
const TOKEN_PREFIX = 'rk_';

export interface LoginInput {
  email: string;
  password: string;
  totp?: string | undefined;
}

export type { SessionInfo };

export interface ApiTokenView {
  id: string;
  name: string;
  prefix: string;
  roles: Role[];
  expiresAt: Date;
  lastUsedAt: Date | null;
  revoked: boolean;
  createdAt: Date;
}

export type AccountsService = ReturnType<typeof createAccountsService>;

const invalidCredentials = () =>
  new UnauthenticatedError('invalid_credentials', 'The e-mail address or password is wrong, or the account is locked for a while after repeated failures');
const totpInvalid = () => new UnauthenticatedError('totp_invalid', 'The code is wrong or has been used already');
const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');
const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/**
 * Accounts: users, memberships, sessions, TOTP, API tokens.
 * @example const accounts = createAccountsService(db, { sessionTtlHours: 12, issuer: 'Renkei' });
 */
export function createAccountsService(db: Kysely<Schema>, options: { sessionTtlHours: number; issuer: string }) {
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

  async function countFailedLogin(userId: string, now: Date, ctx: RequestContext): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const lockUntil = new Date(now.getTime() + LOCKOUT_MINUTES * 60_000);
      const { lockedNow } = await recordFailedLogin(trx, userId, { maxFailures: MAX_FAILED_LOGINS, lockUntil });
      if (lockedNow)
        await recordAudit(trx, ctx, {
          action: 'user.lock',
          targetType: 'user',
          targetId: userId,
          after: { failedLogins: MAX_FAILED_LOGINS, lockoutMinutes: LOCKOUT_MINUTES },
        });
    });
  }

  function requireUser(ctx: RequestContext): UserActor {
    if (ctx.actor.kind !== 'user') throw new UnauthenticatedError();
    return ctx.actor;
  }

  return {
    /**
     * Checks credentials (and TOTP when enrolled), applies lock-out, and opens a session. Unknown,
     * disabled and locked accounts get the same answer as a wrong password, so it never tells which
     * accounts exist; wrong second factors count towards the lock-out like wrong passwords.
     */
    async login(input: LoginInput, ctx: RequestContext & { userAgent: string | null }): Promise<SessionInfo & { cookieValue: string }> {
      const user = await findUserByEmail(db, input.email);
      const passwordOk = await verifyPassword(input.password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
      if (!user || user.disabled_at || !user.password_hash) throw invalidCredentials();
      const now = new Date();
      if (user.locked_until && user.locked_until > now) throw invalidCredentials();
      if (!passwordOk) {
        await countFailedLogin(user.id, now, ctx);
        throw invalidCredentials();
      }
      let totpStep: number | null = null;
      if (user.totp_enabled_at && user.totp_secret) {
        if (!input.totp) throw new UnauthenticatedError('totp_required', 'Enter the 6-digit code from your authenticator app');
        totpStep = matchTotp(user.totp_secret, input.totp, now, user.totp_last_step);
        if (totpStep === null) {
          await countFailedLogin(user.id, now, ctx);
          throw totpInvalid();
        }
      }
      const cookieValue = randomToken();
      const sessionId = sha256(cookieValue);
      const csrfToken = randomToken(24);
      const claimed = await db.transaction().execute(async (trx) => {
        // Parallel logins race here: one takes the TOTP step; a lock set meanwhile also wins.
        if (!(await claimLogin(trx, user.id, now, totpStep))) return false;
        await trx
          .insertInto('sessions')
          .values({
            id: sessionId,
            user_id: user.id,
            csrf_token: csrfToken,
            ip: ctx.ip,
            user_agent: ctx.userAgent?.slice(0, 500) ?? null,
            expires_at: new Date(now.getTime() + options.sessionTtlHours * 3_600_000),
            last_seen_at: now,
          })
          .execute();
        await recordAudit(
          trx,
          { ...ctx, actor: { kind: 'system', label: user.email } },
          { action: 'session.create', targetType: 'user', targetId: user.id, after: { totp: totpStep !== null } },
        );
        return true;
      });
      if (!claimed) {
        if (totpStep === null) throw invalidCredentials();
        await countFailedLogin(user.id, now, ctx);
        throw totpInvalid();
      }
      const actor = await actorFor(user.id, 'session', null);
      if (!actor) throw invalidCredentials();
      return { actor, csrfToken, sessionId, cookieValue };
    },

    async logout(sessionId: string, ctx: RequestContext): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const removed = await trx.deleteFrom('sessions').where('id', '=', sessionId).returning('user_id').executeTakeFirst();
        if (removed) await recordAudit(trx, ctx, { action: 'session.delete', targetType: 'user', targetId: removed.user_id });
      });
    },

    /** The actor behind a session cookie, or null when the session is unknown or expired. */
    async resolveSession(cookieValue: string): Promise<SessionInfo | null> {
      if (cookieValue.length > 100) return null;
      const sessionId = sha256(cookieValue);
      const session = await db.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
      const now = new Date();
      if (!session || session.expires_at <= now) return null;
      const actor = await actorFor(session.user_id, 'session', null);
      if (!actor) return null;
      // Touch at most once a minute: reads should not each cost a write.
      if (now.getTime() - session.last_seen_at.getTime() > 60_000) {
        await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', sessionId).execute();
      }
      return { actor, csrfToken: session.csrf_token, sessionId };
    },

    /** The actor behind an API token, or null when it is unknown, revoked or expired. */
    async resolveToken(token: string): Promise<UserActor | null> {
      if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return null;
      const row = await db.selectFrom('api_tokens').selectAll().where('token_hash', '=', sha256(token)).executeTakeFirst();
      const now = new Date();
      if (!row || row.revoked_at || row.expires_at <= now) return null;
      if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000) {
        await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', row.id).execute();
      }
      return actorFor(row.user_id, 'token', row.id, row.roles);
    },

    async me(ctx: RequestContext, csrfToken: string | null): Promise<Me> {
      const actor = requireUser(ctx);
      return toMe(actor, csrfToken, rowOfActor.get(actor));
    },

    async updateMe(
      ctx: RequestContext,
      patch: { locale?: Locale | undefined; timeZone?: string | undefined; displayName?: string | undefined },
      csrfToken: string | null,
    ): Promise<Me> {
      const actor = requireUser(ctx);
      if (patch.timeZone !== undefined && !isTimeZone(patch.timeZone))
        throw new BadRequestError('bad_time_zone', `"${patch.timeZone.slice(0, 64)}" is not an IANA time zone`);
      await db.transaction().execute(async (trx) => {
        const before = await trx.selectFrom('users').select(['locale', 'time_zone', 'display_name']).where('id', '=', actor.userId).executeTakeFirstOrThrow();
        const after = {
          locale: patch.locale ?? before.locale,
          time_zone: patch.timeZone ?? before.time_zone,
          display_name: patch.displayName ?? before.display_name,
        };
        await trx
          .updateTable('users')
          .set({ ...after, updated_at: new Date() })
          .where('id', '=', actor.userId)
          .execute();
        await recordAudit(trx, ctx, { action: 'user.update_profile', targetType: 'user', targetId: actor.userId, before, after });
      });
      return toMe(actor, csrfToken);
    },

    /** Starts TOTP enrolment: a new secret, not yet in force until confirmed with a code. */
    async totpSetup(ctx: RequestContext): Promise<{ secret: string; otpauthUri: string }> {
      const actor = requireUser(ctx);
      if (actor.via !== 'session') throw new ForbiddenError('session_required', 'Set up two-factor login from a logged-in session');
      const row = await findUserById(db, actor.userId);
      if (row?.totp_enabled_at) throw new ConflictError('totp_already_enabled', 'Two-factor login is already on; turn it off first');
      const secret = generateTotpSecret();
      await db.updateTable('users').set({ totp_secret: secret, totp_last_step: null, updated_at: new Date() }).where('id', '=', actor.userId).execute();
      return { secret, otpauthUri: otpauthUri(secret, actor.email, options.issuer) };
    },

    async totpEnable(ctx: RequestContext, code: string, csrfToken: string | null): Promise<Me> {
      const actor = requireUser(ctx);
      const row = await findUserById(db, actor.userId);
      if (!row?.totp_secret) throw new ConflictError('totp_not_set_up', 'Start two-factor set-up first');
      if (row.totp_enabled_at) throw new ConflictError('totp_already_enabled', 'Two-factor login is already on');
      const step = matchTotp(row.totp_secret, code, new Date(), row.totp_last_step);
      if (step === null) throw new BadRequestError('totp_invalid', 'The code is wrong; check the time on your device');
      await db.transaction().execute(async (trx) => {
        if (!(await claimTotpStep(trx, actor.userId, step))) throw new BadRequestError('totp_invalid', 'The code has been used already; wait for the next one');
        await trx.updateTable('users').set({ totp_enabled_at: new Date(), updated_at: new Date() }).where('id', '=', actor.userId).execute();
        await recordAudit(trx, ctx, { action: 'user.totp_enable', targetType: 'user', targetId: actor.userId });
      });
      return toMe(actor, csrfToken);
    },

    async totpDisable(ctx: RequestContext, code: string, csrfToken: string | null): Promise<Me> {
      const actor = requireUser(ctx);
      const row = await findUserById(db, actor.userId);
      if (!row?.totp_secret || !row.totp_enabled_at) throw new ConflictError('totp_not_enabled', 'Two-factor login is not on');
      const step = matchTotp(row.totp_secret, code, new Date(), row.totp_last_step);
      if (step === null) throw new BadRequestError('totp_invalid', 'The code is wrong or has been used already');
      await db.transaction().execute(async (trx) => {
        if (!(await claimTotpStep(trx, actor.userId, step))) throw new BadRequestError('totp_invalid', 'The code is wrong or has been used already');
        await trx
          .updateTable('users')
          .set({ totp_enabled_at: null, totp_secret: null, totp_last_step: null, updated_at: new Date() })
          .where('id', '=', actor.userId)
          .execute();
        await recordAudit(trx, ctx, { action: 'user.totp_disable', targetType: 'user', targetId: actor.userId });
      });
      return toMe(actor, csrfToken);
    },

    /**
     * Creates a user with memberships. Staff roles go to the instance's own organisation; outside
     * roles need the organisation they belong to.
     */
    async createUser(
      ctx: RequestContext,
      input: {
        email: string;
        displayName: string;
        password?: string | undefined;
        organisationId?: string | undefined;
        roles: Role[];
        locale?: Locale | undefined;
      },
    ): Promise<User> {
      accountsPolicy.authorize(ctx.actor, 'users.create');
      const email = input.email.trim().toLowerCase();
      const self = await selfOrganisation(db);
      if (!self) throw new ConflictError('no_self_organisation', 'The instance has no organisation of its own yet');
      const staff = input.roles.filter(isStaffRole);
      const outside = input.roles.filter((role) => !isStaffRole(role));
      if (outside.length > 0 && !input.organisationId)
        throw new BadRequestError('organisation_required', 'Outside roles need the organisation the person belongs to');
      if (input.organisationId) {
        const org = await db.selectFrom('organisations').select('id').where('id', '=', input.organisationId).executeTakeFirst();
        if (!org) throw new NotFoundError('organisation_not_found', 'No such organisation');
      }
      if (await findUserByEmail(db, email)) throw new ConflictError('email_taken', 'A user with this e-mail address exists already');
      const passwordHash = input.password ? await hashPassword(input.password) : null;
      const id = await db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('users')
          .values({
            email,
            display_name: input.displayName,
            password_hash: passwordHash,
            totp_secret: null,
            totp_enabled_at: null,
            totp_last_step: null,
            locked_until: null,
            disabled_at: null,
            locale: input.locale ?? 'en',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const memberships = [
          ...staff.map((role) => ({ user_id: row.id, organisation_id: self.id, role })),
          ...outside.map((role) => ({ user_id: row.id, organisation_id: input.organisationId!, role })),
        ];
        await trx.insertInto('memberships').values(memberships).execute();
        await recordAudit(trx, ctx, {
          action: 'user.create',
          targetType: 'user',
          targetId: row.id,
          after: { email, displayName: input.displayName, roles: input.roles, organisationId: input.organisationId ?? self.id },
        });
        return row.id;
      });
      const created = await findUserById(db, id);
      return userRowToUser(created!, (await membershipsOf(db, [id])).get(id) ?? []);
    },

    async listUsers(ctx: RequestContext, page: { offset: number; limit: number }): Promise<{ items: User[]; total: number }> {
      const scope = accountsPolicy.listScope(ctx.actor, 'users.list');
      const visible = scopeWhere(scope);
      const rows = await db.selectFrom('users').selectAll().where(visible).orderBy('email').offset(page.offset).limit(page.limit).execute();
      const total = (await db.selectFrom('users').select(db.fn.countAll<number>().as('n')).where(visible).executeTakeFirstOrThrow()).n;
      const memberships = await membershipsOf(
        db,
        rows.map((row) => row.id),
      );
      return { items: rows.map((row) => userRowToUser(row, memberships.get(row.id) ?? [])), total: Number(total) };
    },

    /** Makes an API token for the acting user (or, for the system actor, for `userId`). Returns the secret once. */
    async createToken(
      ctx: RequestContext,
      input: { name: string; roles: Role[]; expiresInDays: number; userId?: string },
    ): Promise<{ token: string; view: ApiTokenView }> {
      let userId: string;
      if (ctx.actor.kind === 'system' && input.userId) {
        userId = input.userId;
      } else {
        const actor = requireUser(ctx);
        accountsPolicy.authorize(actor, 'tokens.manage');
        userId = actor.userId;
      }
      const held = rolesOf((await membershipsOf(db, [userId])).get(userId) ?? []);
      const missing = input.roles.filter((role) => !held.has(role));
      if (missing.length > 0) throw new ForbiddenError('role_not_held', `A token cannot carry roles its user does not hold: ${missing.join(', ')}`);
      const token = TOKEN_PREFIX + randomToken();
      const view = await db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('api_tokens')
          .values({
            user_id: userId,
            name: input.name,
            token_hash: sha256(token),
            token_prefix: token.slice(0, 10),
            roles: input.roles,
            expires_at: new Date(Date.now() + input.expiresInDays * 86_400_000),
            last_used_at: null,
            revoked_at: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordAudit(trx, ctx, {
          action: 'token.create',
          targetType: 'api_token',
          targetId: row.id,
          after: { name: row.name, roles: row.roles, expiresAt: row.expires_at, userId },
        });
        return tokenRowToView(row);
      });
      return { token, view };
    },

    async listTokens(ctx: RequestContext): Promise<ApiTokenView[]> {
      const actor = requireUser(ctx);
      const rows = await db.selectFrom('api_tokens').selectAll().where('user_id', '=', actor.userId).orderBy('created_at', 'desc').execute();
      return rows.map(tokenRowToView);
    },

    async revokeToken(ctx: RequestContext, id: string): Promise<void> {
      const actor = requireUser(ctx);
      accountsPolicy.authorize(actor, 'tokens.manage');
      await db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('api_tokens')
          .set({ revoked_at: new Date() })
          .where('id', '=', id)
          .where('user_id', '=', actor.userId)
          .where('revoked_at', 'is', null)
          .returning('id')
          .executeTakeFirst();
        if (!row) throw new NotFoundError('token_not_found', 'No such token');
        await recordAudit(trx, ctx, { action: 'token.revoke', targetType: 'api_token', targetId: id });
      });
    },

    async findUserIdByEmail(email: string): Promise<string | null> {
      return (await findUserByEmail(db, email))?.id ?? null;
    },
  };
}

function tokenRowToView(row: {
  id: string;
  name: string;
  token_prefix: string;
  roles: string[];
  expires_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
}): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.token_prefix,
    roles: row.roles.filter(isRole),
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revoked: row.revoked_at !== null,
    createdAt: row.created_at,
  };
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
