import { CompiledQuery, type Kysely } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Database } from '../db/database.ts';
import type { Schema } from '../db/schema/index.ts';
import type { JobOptions } from './job-types.ts';

// What the queue and its worker share about pg-boss: the connections it runs on, its settings, error shapes.

/**
 * pg-boss's connection: our pool, with every statement tracked so a stop can wait for the last one.
 * After `close`, statements pg-boss still issues (a timer firing late) never settle instead of
 * failing on a closed pool, which pg-boss would turn into an unhandled rejection.
 */
export class TrackedConnection implements PgBoss.Db {
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly pool: Database['pool']) {}

  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
    if (this.closed) return new Promise(() => {});
    const query = this.pool.query(text, values);
    this.inFlight.add(query);
    void query.then(
      () => this.inFlight.delete(query),
      () => this.inFlight.delete(query),
    );
    return query;
  }

  /** Waits until no statement has been in flight for a whole turn of the event loop, then refuses more. */
  async close(): Promise<void> {
    for (;;) {
      await Promise.allSettled([...this.inFlight]);
      await new Promise((resolve) => setImmediate(resolve));
      if (this.inFlight.size === 0) break;
    }
    this.closed = true;
  }
}

/** pg-boss's connection inside a caller's transaction. */
export function transactionConnection(trx: Kysely<Schema>): PgBoss.Db {
  return {
    executeSql: async (text, values) => {
      const result = await trx.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: result.rows };
    },
  };
}

export function queueSettings(name: string, options: JobOptions): PgBoss.Queue {
  return {
    name,
    retryLimit: options.retryLimit,
    retryDelay: options.retryDelaySeconds,
    retryBackoff: options.backoff,
    expireInSeconds: options.expireInSeconds,
  };
}

export function sendSettings(options: JobOptions): PgBoss.SendOptions {
  return { retryLimit: options.retryLimit, retryDelay: options.retryDelaySeconds, retryBackoff: options.backoff, expireInSeconds: options.expireInSeconds };
}

export function isFuture(startAfter: Date | number | undefined): boolean {
  return startAfter instanceof Date ? startAfter.getTime() > Date.now() : typeof startAfter === 'number' && startAfter > 0;
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function errorOutput(error: unknown): object {
  return error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : { message: String(error) };
}
