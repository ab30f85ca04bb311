import type { Config } from '../config.ts';

/**
 * Route `config` for a public form (report intake, contact): at most
 * `config.publicFormRateLimitPerMinute` submissions per client address per minute, per process.
 * A client over the limit gets 429 `rate_limited` in the one error shape, with Retry-After.
 * @example app.post('/report', { config: publicFormRateLimit(config), schema }, handler);
 */
export function publicFormRateLimit(config: Pick<Config, 'publicFormRateLimitPerMinute'>): { rateLimit: { max: number; timeWindow: string } } {
  return { rateLimit: { max: config.publicFormRateLimitPerMinute, timeWindow: '1 minute' } };
}
