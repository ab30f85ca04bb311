import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/index.ts';
import type { Schema } from '../db/schema/index.ts';
import type { SessionInfo } from '../http/auth.ts';
import { UnauthenticatedError } from '../kernel/errors.ts';
import type { RequestContext, UserActor } from '../policy/actor.ts';
import { type ActorResolver, randomToken, sha256 } from './account-actors.ts';
import { claimLogin, findUserByEmail, recordFailedLogin } from './accounts.repository.ts';
import { DUMMY_PASSWORD_HASH, verifyPassword } from './password.ts';
import { matchTotp } from './totp.ts';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;
export const TOKEN_PREFIX = 'rk_';

export interface LoginInput {
  email: string;
  password: string;
  totp?: string | undefined;
}

const invalidCredentials = () =>
  new UnauthenticatedError('invalid_credentials', 'The e-mail address or password is wrong, or the account is locked for a while after repeated failures');
export const totpInvalid = () => new UnauthenticatedError('totp_invalid', 'The code is wrong or has been used already');

/** Login with lock-out, logout, and the actor behind a session cookie or an API token. */
export function createSessions(db: Kysely<Schema>, { actorFor }: ActorResolver, options: { sessionTtlHours: number }) {
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
  };
}
