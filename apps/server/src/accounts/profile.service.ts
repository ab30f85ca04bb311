import type { Kysely } from 'kysely';
import type { Locale, Me } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { BadRequestError, ConflictError, ForbiddenError } from '../kernel/errors.ts';
import type { RequestContext } from '../policy/actor.ts';
import { type ActorResolver, requireUser } from './account-actors.ts';
import { claimTotpStep, findUserById } from './accounts.repository.ts';
import { generateTotpSecret, matchTotp, otpauthUri } from './totp.ts';

/** The caller's own profile: language, time zone, display name, and two-factor login. */
export function createProfile(db: Kysely<Schema>, { toMe, rowOf }: ActorResolver, options: { issuer: string }) {
  return {
    async me(ctx: RequestContext, csrfToken: string | null): Promise<Me> {
      const actor = requireUser(ctx);
      return toMe(actor, csrfToken, rowOf(actor));
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
