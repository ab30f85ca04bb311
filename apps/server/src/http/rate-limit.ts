import type { Config } from '../config.ts';

/**
 * Route `config` for a public form (report intake, contact): at most
 * `config.publicFormRateLimitPerMinute` submissions per client address per minute, per process.
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
