import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Health } from '@renkei/contract';
import { VERSION } from '../version.ts';
import type { Database } from '../db/database.ts';

const PROBE_TIMEOUT_MS = 2000;

/** Liveness and database reachability, for load balancers and `fresh-clone-check`. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ services: { database: Database; startedAt: Date } }> = async (app, { services }) => {
  app.get(
    '/health',
    { schema: { tags: ['system'], summary: 'Is the server up and its database reachable?', security: [], response: { 200: Health, 503: Health } } },
    async (request, reply) => {
      const { database } = services;
      const base = { database: database.engine, version: VERSION, uptimeSeconds: Math.round((Date.now() - services.startedAt.getTime()) / 1000) };
      try {
        await withTimeout(sql`SELECT 1`.execute(database.db), PROBE_TIMEOUT_MS);
        return { status: 'ok' as const, ...base };
      } catch (error) {
        const reason = error instanceof TimeoutError ? `database did not answer within ${PROBE_TIMEOUT_MS} ms` : 'database unreachable';
        // The client sees only the reason; the operator's log has the cause.
        request.log.warn({ err: error }, `health: ${reason}`);
        return reply.status(503).send({ status: 'unavailable' as const, ...base, reason });
      }
    },
  );
};

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
