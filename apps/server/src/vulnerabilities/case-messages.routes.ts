import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { CaseMessage, ChangedCase, type CaseStatus, PostCaseMessageRequest } from '@renkei/contract';
import { errorResponses } from '../http/openapi.ts';
import type { VulnerabilitiesService } from './vulnerabilities.service.ts';

const tags = ['vulnerabilities'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** A case's messages, read state and the "changed since my last visit" list, under /api/v1. */
export const caseMessageRoutes: FastifyPluginAsyncTypebox<{ vulnerabilities: VulnerabilitiesService }> = async (app, { vulnerabilities }) => {
  app.get(
    '/cases/:id/messages',
    {
      schema: {
        tags,
        summary: 'Messages the caller may read: the case thread and, for a participant, its private thread with the team',
        params: IdParams,
        querystring: Type.Object({ since: Type.Optional(Type.String({ format: 'date-time' })) }),
        response: { 200: Type.Array(CaseMessage), ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const since = request.query.since ? new Date(request.query.since) : undefined;
      const messages = await vulnerabilities.listCaseMessages(request.ctx, request.params.id, { since });
      return messages.map((m) => ({ ...m, createdAt: m.createdAt.toISOString() }));
    },
  );

  app.post(
    '/cases/:id/messages',
    {
      schema: {
        tags,
        summary: 'Write to the case thread, or privately (team ↔ one participant); the participants it concerns are told by mail',
        params: IdParams,
        body: PostCaseMessageRequest,
        response: { 201: Type.Object({ id: Type.String() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.status(201).send(await vulnerabilities.postCaseMessage(request.ctx, request.params.id, request.body)),
  );

  app.post(
    '/cases/:id/seen',
    {
      schema: {
        tags,
        summary: 'Mark the case read now: later changes are new to the caller',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await vulnerabilities.markCaseSeen(request.ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/cases/changed',
    {
      schema: {
        tags,
        summary: 'The cases the caller may see that changed since it last opened them (or never opened), newest change first',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1_000, default: 200 }) }),
        response: { 200: Type.Array(ChangedCase), ...errorResponses(401, 403) },
      },
    },
    async (request) =>
      (await vulnerabilities.changedSinceLastVisit(request.ctx, request.query.limit)).map((c) => ({
        id: c.id,
        reference: c.reference,
        title: c.title,
        titleJa: c.title_ja,
        status: c.status as CaseStatus,
        modifiedAt: c.modified_at.toISOString(),
        seenAt: c.seen_at ? c.seen_at.toISOString() : null,
      })),
  );
};
