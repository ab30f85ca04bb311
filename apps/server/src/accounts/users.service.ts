import type { Kysely } from 'kysely';
import { type Locale, type Role, isRole, isStaffRole } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../kernel/errors.ts';
import type { RequestContext } from '../policy/actor.ts';
import { scopeWhere } from '../policy/scope.ts';
import { randomToken, requireUser, sha256 } from './account-actors.ts';
import { accountsPolicy } from './accounts.policy.ts';
import { type User, findUserByEmail, findUserById, membershipsOf, rolesOf, selfOrganisation, userRowToUser } from './accounts.repository.ts';
import { hashPassword } from './password.ts';
import { TOKEN_PREFIX } from './sessions.service.ts';

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

/** Users and their memberships (admin), and API tokens. */
export function createUsers(db: Kysely<Schema>) {
  return {
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
