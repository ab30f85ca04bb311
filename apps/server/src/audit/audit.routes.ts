import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AuditEntry, Page } from '@renkei/contract';
import { errorResponses } from '../http/openapi.ts';
import type { AuditService } from './audit.service.ts';

/** The audit log, read-only, for administrators. */
export const auditRoutes: FastifyPluginAsyncTypebox<{ audit: AuditService }> = async (app, { audit }) => {
  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'The audit log, newest first (admin)',
        querystring: Type.Object({
          offset: Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0 }),
          limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
        }),
        response: { 200: Page(AuditEntry), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { offset, limit } = request.query;
      const page = await audit.list(request.ctx, { offset, limit });
      return {
        items: page.items.map((entry) => ({ ...entry, at: entry.at.toISOString() })),
        total: page.total,
        nextOffset: offset + limit < page.total ? offset + limit : null,
      };
    },
  );
};
