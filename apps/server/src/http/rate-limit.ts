import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { TooManyRequestsError } from '../kernel/errors.ts';
import type { RateLimitCounter } from './rate-limit-store.ts';

/**
 * Route `config` for a public form (report intake, contact): at most
 * `config.publicFormRateLimitPerMinute` submissions per client address per minute, counted in the
 * database (`rate-limit-store.ts`) so that every server process agrees.
 * A client over the limit gets 429 `rate_limited` in the one error shape, with Retry-After. The
 * route is anonymous whoever posts it: a logged-in staff member's session is not used (nor its CSRF
 * header asked for); the form's own signed token and the Origin check protect it.
 * @example app.post('/report', { config: publicFormRateLimit(config), schema }, handler);
 */
export function publicFormRateLimit(config: Pick<Config, 'publicFormRateLimitPerMinute'>): {
  rateLimit: { max: number; timeWindow: string };
  publicForm: true;
} {
  // publicForm: the route is anonymous and checks its own signed form token (see http/auth.ts).
  return { rateLimit: { max: config.publicFormRateLimitPerMinute, timeWindow: '1 minute' }, publicForm: true };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Submissions counted per API token (or session user) and per organisation of the caller, under this name. */
    callerLimit?: string;
  }
}

export interface CallerLimits {
  perTokenPerMinute: number;
  perOrganisationPerMinute: number;
}

/**
 * Counts an authenticated caller's submission to a route marked `config: { callerLimit: 'reports' }`:
 * per API token (a session counts as its user) and per organisation the caller belongs to, each per
 * minute, in the database so every server counts alike. Over either limit: 429 `rate_limited` with
 * Retry-After, and the submission is not taken.
 * @example app.addHook('preHandler', (request, reply) => limitCaller(counter, limits, request, reply));
 */
export async function limitCaller(counter: RateLimitCounter, limits: CallerLimits, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const purpose = request.routeOptions.config.callerLimit;
  const actor = request.ctx.actor;
  if (!purpose || actor.kind !== 'user') return;
  const caller = actor.tokenId ? `token:${actor.tokenId}` : `user:${actor.userId}`;
  const organisations = [...new Set(actor.memberships.map((m) => m.organisationId))];
  const counts = [
    { key: `${caller}:${purpose}`, max: limits.perTokenPerMinute, who: actor.tokenId ? 'this API token' : 'this user' },
    ...organisations.map((id) => ({ key: `organisation:${id}:${purpose}`, max: limits.perOrganisationPerMinute, who: 'your organisation' })),
  ];
  for (const { key, max, who } of counts) {
    const { hits, ttlMs } = await counter.hit(key, 60_000);
    if (hits > max) {
      const seconds = Math.max(1, Math.ceil(ttlMs / 1000));
      void reply.header('retry-after', String(seconds));
      throw new TooManyRequestsError('rate_limited', `Too many submissions from ${who} (at most ${max} a minute): try again in ${seconds} s`);
    }
  }
}
