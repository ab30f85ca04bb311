import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  ApiToken,
  CreateTokenRequest,
  CreateUserRequest,
  CreatedApiToken,
  LoginRequest,
  Me,
  Page,
  TotpCode,
  TotpSetup,
  UpdateMeRequest,
  User,
} from '@renkei/contract';
import { clearSessionCookie, setSessionCookie } from '../http/auth.ts';
import { errorResponses } from '../http/openapi.ts';
import type { AccountsService, ApiTokenView } from './accounts.service.ts';
import type { User as UserModel } from './accounts.repository.ts';

export interface AccountsRoutesOptions {
  accounts: AccountsService;
  sessionTtlHours: number;
  secureCookies: boolean;
  loginRateLimitPerMinute: number;
}

const userView = (user: UserModel) => ({ ...user, createdAt: user.createdAt.toISOString() });
const tokenView = (token: ApiTokenView) => ({
  ...token,
  expiresAt: token.expiresAt.toISOString(),
  lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
  createdAt: token.createdAt.toISOString(),
});

/** Login, logout, the caller's own profile and TOTP, users (admin) and API tokens. */
export const accountsRoutes: FastifyPluginAsyncTypebox<AccountsRoutesOptions> = async (app, options) => {
  await sessionRoutes(app, options);
  await userAndTokenRoutes(app, options);
};

/** Login, logout and the caller's own profile and TOTP. */
const sessionRoutes: FastifyPluginAsyncTypebox<AccountsRoutesOptions> = async (app, { accounts, sessionTtlHours, secureCookies, loginRateLimitPerMinute }) => {
  app.post(
    '/auth/login',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Log in with e-mail, password and (when enrolled) a TOTP code',
        body: LoginRequest,
        response: { 200: Me, ...errorResponses(400, 401, 429) },
      },
      config: { rateLimit: { max: loginRateLimitPerMinute, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const session = await accounts.login(request.body, { ...request.ctx, userAgent: request.headers['user-agent'] ?? null });
      setSessionCookie(reply, session.cookieValue, sessionTtlHours * 3600, secureCookies);
      return accounts.me({ ...request.ctx, actor: session.actor }, session.csrfToken);
    },
  );

  app.post(
    '/auth/logout',
    { schema: { tags: ['accounts'], summary: 'End the current session', response: { 204: Type.Null(), ...errorResponses(403) } } },
    async (request, reply) => {
      if (request.session) await accounts.logout(request.session.sessionId, request.ctx);
      clearSessionCookie(reply, secureCookies);
      return reply.status(204).send(null);
    },
  );

  app.get('/me', { schema: { tags: ['accounts'], summary: 'The logged-in user', response: { 200: Me, ...errorResponses(401) } } }, async (request) =>
    accounts.me(request.ctx, request.session?.csrfToken ?? null),
  );

  app.patch(
    '/me',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Change language, time zone or display name',
        body: UpdateMeRequest,
        response: { 200: Me, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => accounts.updateMe(request.ctx, request.body, request.session?.csrfToken ?? null),
  );

  app.post(
    '/me/totp/setup',
    {
      schema: { tags: ['accounts'], summary: 'Start TOTP enrolment: returns the secret once', response: { 200: TotpSetup, ...errorResponses(401, 403, 409) } },
    },
    async (request) => accounts.totpSetup(request.ctx),
  );

  app.post(
    '/me/totp/enable',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Confirm TOTP enrolment with a code',
        body: TotpCode,
        response: { 200: Me, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) => accounts.totpEnable(request.ctx, request.body.code, request.session?.csrfToken ?? null),
  );

  app.post(
    '/me/totp/disable',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Turn TOTP off (needs a current code)',
        body: TotpCode,
        response: { 200: Me, ...errorResponses(400, 401, 403, 409) },
      },
    },
    async (request) => accounts.totpDisable(request.ctx, request.body.code, request.session?.csrfToken ?? null),
  );
};

/** Users (admin) and the caller's API tokens. */
const userAndTokenRoutes: FastifyPluginAsyncTypebox<AccountsRoutesOptions> = async (app, { accounts }) => {
  app.get(
    '/users',
    {
      schema: {
        tags: ['accounts'],
        summary: 'List users (admin)',
        querystring: Type.Object({
          offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
        }),
        response: { 200: Page(User), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { offset, limit } = request.query;
      const page = await accounts.listUsers(request.ctx, { offset, limit });
      return { items: page.items.map(userView), total: page.total, nextOffset: offset + limit < page.total ? offset + limit : null };
    },
  );

  app.post(
    '/users',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Create a user with roles (admin)',
        body: CreateUserRequest,
        response: { 201: User, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const user = await accounts.createUser(request.ctx, request.body);
      return reply.status(201).send(userView(user));
    },
  );

  app.get(
    '/tokens',
    { schema: { tags: ['accounts'], summary: "The caller's API tokens", response: { 200: Type.Array(ApiToken), ...errorResponses(401) } } },
    async (request) => (await accounts.listTokens(request.ctx)).map(tokenView),
  );

  app.post(
    '/tokens',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Create an API token (shown once)',
        body: CreateTokenRequest,
        response: { 201: CreatedApiToken, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { token, view } = await accounts.createToken(request.ctx, request.body);
      return reply.status(201).send({ ...tokenView(view), token });
    },
  );

  app.delete(
    '/tokens/:id',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Revoke an API token',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await accounts.revokeToken(request.ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );
};
