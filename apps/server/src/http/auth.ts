import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ANONYMOUS, type RequestContext, type UserActor } from '../policy/actor.ts';
import { ForbiddenError, UnauthenticatedError } from '../kernel/errors.ts';

export const SESSION_COOKIE = 'renkei_session';

/** A signed-in cookie session: who, its CSRF token, its ID. */
export interface SessionInfo {
  actor: UserActor;
  csrfToken: string;
  sessionId: string;
}

/** What the hook asks of the accounts domain (the composition root hands it the accounts service). */
export interface Authenticator {
  resolveToken(token: string): Promise<UserActor | null>;
  resolveSession(cookieValue: string): Promise<SessionInfo | null>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** An anonymous public form with its own signed token: no session or token is resolved for it. */
    publicForm?: boolean;
  }
  interface FastifyRequest {
    /** Who is asking and from where; anonymous until the auth hook says otherwise. */
    ctx: RequestContext;
    /** The cookie session behind the request; null for tokens and anonymous requests. */
    session: SessionInfo | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
// Login makes the session, so it cannot check the session's CSRF token; SameSite=Strict covers it.
const CSRF_EXEMPT = new Set(['/api/v1/auth/login']);

/**
 * Resolves every request's actor: `Authorization: Bearer` API tokens first, then the session cookie.
 * Cookie requests that change state must carry the session's X-CSRF-Token and, if sent, a same-site Origin.
 */
export function installAuthentication(app: FastifyInstance, accounts: Authenticator, publicUrl: string): void {
  app.decorateRequest('ctx', null as unknown as RequestContext);
  app.decorateRequest('session', null);
  const ownOrigin = new URL(publicUrl).origin;

  app.addHook('onRequest', async (request) => {
    request.ctx = { actor: ANONYMOUS, ip: request.ip, requestId: request.id };
    request.session = null;
    // A browser says where a state change comes from: refuse other sites whatever the credentials,
    // which also covers login (no session yet) and, later, public forms.
    if (!SAFE_METHODS.has(request.method) && !sameSite(request.headers.origin, ownOrigin, request)) {
      throw new ForbiddenError('csrf_failed', 'Cross-site request refused');
    }
    if (request.routeOptions.config.publicForm) return;
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const actor = match ? await accounts.resolveToken(match[1]!) : null;
      if (!actor) throw new UnauthenticatedError('invalid_token', 'The API token is unknown, revoked or expired');
      request.ctx.actor = actor;
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    if (!cookie) return;
    const session = await accounts.resolveSession(cookie);
    if (!session) return;
    if (!SAFE_METHODS.has(request.method) && !CSRF_EXEMPT.has(request.routeOptions.url ?? '')) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !sameSecret(sent, session.csrfToken)) {
        throw new ForbiddenError('csrf_failed', 'Missing or wrong X-CSRF-Token header');
      }
    }
    request.session = session;
    request.ctx.actor = session.actor;
  });
}

/** The acting user, or a 401 for anonymous requests. */
export function requireUser(request: FastifyRequest): UserActor {
  if (request.ctx.actor.kind !== 'user') throw new UnauthenticatedError();
  return request.ctx.actor;
}

export function setSessionCookie(reply: FastifyReply, value: string, maxAgeSeconds: number, secure: boolean): void {
  void reply.setCookie(SESSION_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'strict', secure, maxAge: maxAgeSeconds });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure });
}

/** No Origin header (not a browser, or a same-origin GET) or our own origin. */
function sameSite(origin: string | undefined, ownOrigin: string, request: FastifyRequest): boolean {
  return origin === undefined || origin === ownOrigin || origin === `${request.protocol}://${request.host}`;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
