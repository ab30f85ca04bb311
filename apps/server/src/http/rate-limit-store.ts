import { createHash } from 'node:crypto';
import type { FastifyRateLimitOptions, FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema/index.ts';

/** Counts requests per key in fixed windows, in the database, so every server process counts the same requests. */
export interface RateLimitCounter {
  /** Counts one request for `key`; answers the hits in its window (this one included) and the window's time left. */
  hit(key: string, windowMs: number): Promise<{ hits: number; ttlMs: number }>;
}

/** Sweep expired windows after this many hits in a process: cheap, and enough to keep the table small. */
const SWEEP_EVERY = 500;
const MAX_KEY_LENGTH = 300;

/**
 * The counter over `rate_limit_counters`: one atomic upsert per request (parallel requests on several
 * servers each count; a window that has ended restarts at 1).
 * @example const { hits, ttlMs } = await counter.hit('token:<id>:reports', 60_000);
 */
export function createRateLimitCounter(db: Kysely<Schema>): RateLimitCounter {
  let sinceSweep = 0;
  return {
    async hit(key, windowMs) {
      // A long key (a long route pattern and an IPv6 address) keeps its start readable and stays unique.
      const stored = key.length <= MAX_KEY_LENGTH ? key : `${key.slice(0, 200)}#${createHash('sha256').update(key).digest('hex')}`;
      const seconds = Math.max(1, windowMs) / 1000;
      const result = await sql<{ hits: number; ttl_ms: number }>`
        INSERT INTO rate_limit_counters AS c (key, hits, window_ends_at)
        VALUES (${stored}, 1, now() + make_interval(secs => ${seconds}))
        ON CONFLICT (key) DO UPDATE SET
          hits = CASE WHEN c.window_ends_at <= now() THEN 1 ELSE LEAST(c.hits + 1, 1000000000) END,
          window_ends_at = CASE WHEN c.window_ends_at <= now() THEN EXCLUDED.window_ends_at ELSE c.window_ends_at END
        RETURNING hits, GREATEST(0, ceil(extract(epoch FROM (window_ends_at - now())) * 1000))::int AS ttl_ms`.execute(db);
      if (++sinceSweep >= SWEEP_EVERY) {
        sinceSweep = 0;
        await db
          .deleteFrom('rate_limit_counters')
          .where('window_ends_at', '<', sql<Date>`now() - interval '1 minute'`)
          .execute();
      }
      const row = result.rows[0]!;
      return { hits: row.hits, ttlMs: row.ttl_ms };
    },
  };
}

/**
 * A store for @fastify/rate-limit over the counter: each limited route counts under its own key
 * (`route:<method> <url>:<client>`), shared by every server on the database.
 * @example await app.register(rateLimit, { global: false, store: rateLimitStoreOver(counter) });
 */
export function rateLimitStoreOver(counter: RateLimitCounter): FastifyRateLimitStoreCtor {
  class DatabaseRateLimitStore implements FastifyRateLimitStore {
    constructor(
      _options: FastifyRateLimitOptions,
      private readonly prefix = 'route:',
    ) {}

    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      counter.hit(`${this.prefix}${key}`, timeWindow).then(
        ({ hits, ttlMs }) => callback(null, { current: hits, ttl: ttlMs }),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }

    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0] & { routeInfo?: { method?: string | string[]; url?: string } }): FastifyRateLimitStore {
      const route = routeOptions.routeInfo ?? {};
      const method = Array.isArray(route.method) ? route.method.join(',') : (route.method ?? '');
      return new DatabaseRateLimitStore({}, `route:${method} ${route.url ?? ''}:`);
    }
  }
  return DatabaseRateLimitStore;
}
