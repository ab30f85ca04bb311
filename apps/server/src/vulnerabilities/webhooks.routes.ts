import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  CreateWebhookRequest,
  UpdateWebhookRequest,
  type WebhookDelivery,
  WebhookDelivery as WebhookDeliverySchema,
  type WebhookEndpoint,
  WebhookEndpoint as WebhookEndpointSchema,
  WebhookEndpointWithSecret,
} from '@renkei/contract';
import { errorResponses } from '../http/openapi.ts';
import type { EndpointRecord } from './webhooks.repository.ts';
import type { VulnerabilitiesService } from './vulnerabilities.service.ts';

const tags = ['webhooks'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** The one output shape of an endpoint (never its secret). */
function presentEndpoint(e: EndpointRecord & { organisationName: string }): WebhookEndpoint {
  return {
    id: e.id,
    organisationId: e.organisationId,
    organisationName: e.organisationName,
    url: e.url,
    description: e.description,
    events: e.events,
    active: e.active,
    createdAt: e.createdAt.toISOString(),
    secretRotatedAt: e.secretRotatedAt ? e.secretRotatedAt.toISOString() : null,
  };
}

type DeliveryRows = Awaited<ReturnType<VulnerabilitiesService['listWebhookDeliveries']>>;

function presentDelivery(d: DeliveryRows[number]): WebhookDelivery {
  return {
    id: d.id,
    eventType: d.event_type,
    caseId: d.case_id,
    state: d.state,
    createdAt: d.created_at.toISOString(),
    finishedAt: d.finished_at ? d.finished_at.toISOString() : null,
    attempts: d.attempts.map((a) => ({ attempt: a.attempt, at: a.at.toISOString(), statusCode: a.status_code, error: a.error, durationMs: a.duration_ms })),
  };
}

/** An organisation's webhook endpoints, managed by its own users (admins: any organisation's), under /api/v1. */
export const webhookRoutes: FastifyPluginAsyncTypebox<{ vulnerabilities: VulnerabilitiesService }> = async (app, { vulnerabilities }) => {
  app.get(
    '/webhooks',
    {
      schema: {
        tags,
        summary: "The caller's organisations' webhook endpoints (an admin: every organisation's)",
        querystring: Type.Object({ organisationId: Type.Optional(Type.String({ format: 'uuid' })) }),
        response: { 200: Type.Array(WebhookEndpointSchema), ...errorResponses(401, 403) },
      },
    },
    async (request) => (await vulnerabilities.listWebhooks(request.ctx, request.query.organisationId)).map(presentEndpoint),
  );

  app.post(
    '/webhooks',
    {
      schema: {
        tags,
        summary: 'Register an endpoint: the answer carries its signing secret, shown this once',
        body: CreateWebhookRequest,
        response: { 201: WebhookEndpointWithSecret, ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const created = await vulnerabilities.createWebhook(request.ctx, request.body);
      return reply.status(201).send({ endpoint: presentEndpoint(created.endpoint), secret: created.secret });
    },
  );

  app.patch(
    '/webhooks/:id',
    {
      schema: {
        tags,
        summary: 'Activate or deactivate an endpoint, or change the events it wants',
        params: IdParams,
        body: UpdateWebhookRequest,
        response: { 200: WebhookEndpointSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => presentEndpoint(await vulnerabilities.updateWebhook(request.ctx, request.params.id, request.body)),
  );

  app.post(
    '/webhooks/:id/rotate-secret',
    {
      schema: {
        tags,
        summary: 'A new signing secret, shown this once; the old one signs nothing more',
        params: IdParams,
        response: { 200: WebhookEndpointWithSecret, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const rotated = await vulnerabilities.rotateWebhookSecret(request.ctx, request.params.id);
      return { endpoint: presentEndpoint(rotated.endpoint), secret: rotated.secret };
    },
  );

  app.post(
    '/webhooks/:id/ping',
    {
      schema: {
        tags,
        summary: 'Send a signed `ping` event to the endpoint (as a delivery, with retries)',
        params: IdParams,
        response: { 202: Type.Object({ deliveryId: Type.String() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.status(202).send(await vulnerabilities.pingWebhook(request.ctx, request.params.id)),
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        tags,
        summary: "The endpoint's latest deliveries, each attempt with its status code, error and duration",
        params: IdParams,
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }),
        response: { 200: Type.Array(WebhookDeliverySchema), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => (await vulnerabilities.listWebhookDeliveries(request.ctx, request.params.id, request.query.limit)).map(presentDelivery),
  );
};
