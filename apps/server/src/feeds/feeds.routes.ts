import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  FeedEventPage,
  FeedEventQuery,
  FeedMapping,
  FeedMappingInput,
  FeedNotificationDetail,
  FeedNotificationPage,
  FeedPageQuery,
  FeedRunDetail,
  FeedRunPage,
  FeedSource,
  FeedSourceInput,
  MappingName,
} from '@renkei/contract';
import { errorResponses } from '../http/openapi.ts';
import type { FeedsService } from './feeds.service.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const NameParams = Type.Object({ name: MappingName });

type FeedsApp = Parameters<FastifyPluginAsyncTypebox>[0];

/** Feeds for staff: runs with their summaries and rejected lines, events, notifications, mappings, sources. */
export const feedsRoutes: FastifyPluginAsyncTypebox<{ feeds: FeedsService }> = async (app, { feeds }) => {
  runAndNotificationRoutes(app, feeds);
  mappingAndSourceRoutes(app, feeds);
};

/** Runs, events and notifications: what the pipeline produced and what was sent. */
function runAndNotificationRoutes(app: FeedsApp, feeds: FeedsService): void {
  app.get(
    '/feeds/runs',
    {
      schema: {
        tags: ['feeds'],
        summary: 'Ingest runs, newest first, with their summaries',
        querystring: FeedPageQuery,
        response: { 200: FeedRunPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => feeds.listRuns(request.ctx, { offset: request.query.offset ?? 0, limit: request.query.limit ?? 50 }),
  );

  app.get(
    '/feeds/runs/:id',
    {
      schema: {
        tags: ['feeds'],
        summary: 'One run with its first 1,000 rejected lines (line, reason, excerpt)',
        params: IdParams,
        response: { 200: FeedRunDetail, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => feeds.getRun(request.ctx, request.params.id),
  );

  app.get(
    '/feeds/events',
    {
      schema: {
        tags: ['feeds'],
        summary: 'Events, newest first, by recipient, RSIT type or notification; page with before=',
        querystring: FeedEventQuery,
        response: { 200: FeedEventPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => feeds.listEvents(request.ctx, request.query),
  );

  app.get(
    '/feeds/notifications',
    {
      schema: {
        tags: ['feeds'],
        summary: 'Notifications, newest first',
        querystring: Type.Intersect([
          FeedPageQuery,
          Type.Object({
            recipient: Type.Optional(Type.String({ maxLength: 320 })),
            state: Type.Optional(Type.Union(['pending', 'queued', 'withheld', 'failed'].map((s) => Type.Literal(s)))),
          }),
        ]),
        response: { 200: FeedNotificationPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) =>
      feeds.listNotifications(
        request.ctx,
        { recipient: request.query.recipient, state: request.query.state },
        { offset: request.query.offset ?? 0, limit: request.query.limit ?? 50 },
      ),
  );

  app.get(
    '/feeds/notifications/:id',
    {
      schema: {
        tags: ['feeds'],
        summary: 'A notification with its first events and its mail thread (replies)',
        params: IdParams,
        response: { 200: FeedNotificationDetail, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => feeds.getNotification(request.ctx, request.params.id),
  );

  app.get(
    '/feeds/notifications/:id/file',
    {
      schema: {
        tags: ['feeds'],
        summary: 'The report file (CSV or X-ARF) as mailed; always a download',
        params: IdParams,
        response: { 200: Type.Any(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { fileName, stream } = await feeds.openNotificationFile(request.ctx, request.params.id);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(stream);
    },
  );

  app.post(
    '/feeds/notifications/send',
    {
      schema: {
        tags: ['feeds'],
        summary: 'Group pending events into notifications now (all recipients with all=true, else those whose interval has passed)',
        body: Type.Object({ all: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ notifications: FeedNotificationPage.properties.items }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => feeds.notifyDue(request.ctx, { force: request.body.all ?? false }),
  );
}

/** Saved mappings and URL sources: how feeds are read and fetched. */
function mappingAndSourceRoutes(app: FeedsApp, feeds: FeedsService): void {
  app.get(
    '/feeds/mappings',
    { schema: { tags: ['feeds'], summary: 'Saved CSV column mappings', response: { 200: Type.Array(FeedMapping), ...errorResponses(401, 403) } } },
    async (request) => feeds.listMappings(request.ctx),
  );

  app.get(
    '/feeds/mappings/:name',
    { schema: { tags: ['feeds'], summary: 'One mapping', params: NameParams, response: { 200: FeedMapping, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => feeds.getMapping(request.ctx, request.params.name),
  );

  app.post(
    '/feeds/mappings',
    {
      schema: { tags: ['feeds'], summary: 'Save a new mapping', body: FeedMappingInput, response: { 201: FeedMapping, ...errorResponses(400, 401, 403, 409) } },
    },
    async (request, reply) => reply.status(201).send(await feeds.saveMapping(request.ctx, request.body)),
  );

  app.put(
    '/feeds/mappings/:name',
    {
      schema: {
        tags: ['feeds'],
        summary: 'Replace (or create) the mapping of this name',
        params: NameParams,
        body: FeedMappingInput,
        response: { 200: FeedMapping, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => feeds.saveMapping(request.ctx, { ...request.body, name: request.params.name }, { replace: true }),
  );

  app.delete(
    '/feeds/mappings/:name',
    {
      schema: {
        tags: ['feeds'],
        summary: 'Remove a mapping (not while a source uses it)',
        params: NameParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await feeds.deleteMapping(request.ctx, request.params.name);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/feeds/sources',
    { schema: { tags: ['feeds'], summary: 'Feeds fetched from URLs on a schedule', response: { 200: Type.Array(FeedSource), ...errorResponses(401, 403) } } },
    async (request) => feeds.listSources(request.ctx),
  );

  app.post(
    '/feeds/sources',
    {
      schema: {
        tags: ['feeds'],
        summary: 'Add a feed fetched from a URL every intervalMinutes',
        body: FeedSourceInput,
        response: { 201: FeedSource, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => reply.status(201).send(await feeds.addSource(request.ctx, request.body)),
  );

  app.delete(
    '/feeds/sources/:id',
    { schema: { tags: ['feeds'], summary: 'Remove a feed source', params: IdParams, response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) } } },
    async (request, reply) => {
      await feeds.deleteSource(request.ctx, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
