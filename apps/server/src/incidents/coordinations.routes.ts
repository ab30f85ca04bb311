import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Coordination, CreateCoordinationRequest, SendCoordinationRequest, TransitionCoordinationRequest, UpdateCoordinationRequest } from '@renkei/contract';
import { errorResponses } from '../http/openapi.ts';
import type { IncidentsService } from './incidents.service.ts';
import { presentCoordination } from './incidents.presenter.ts';
import { IdParams, tags } from './incidents.route-params.ts';

type IncidentsApp = Parameters<FastifyPluginAsyncTypebox<{ incidents: IncidentsService }>>[0];

/** Coordinations under /api/v1: the parties of an incident, their states, messages and the waiting list. */
export function coordinationRoutes(app: IncidentsApp, incidents: IncidentsService): void {
  app.get(
    '/incidents/:id/coordinations',
    {
      schema: {
        tags,
        summary: "The incident's coordinations",
        params: IdParams,
        response: { 200: Type.Array(Coordination), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => (await incidents.listCoordinations(request.ctx, request.params.id)).map(presentCoordination),
  );

  app.post(
    '/incidents/:id/coordinations',
    {
      schema: {
        tags,
        summary: 'Ask a party to act: a directory organisation or a free contact',
        params: IdParams,
        body: CreateCoordinationRequest,
        response: { 201: Coordination, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(presentCoordination(await incidents.createCoordination(request.ctx, request.params.id, request.body))),
  );

  const PartySuggestion = Type.Object({
    role: Type.String(),
    organisationId: Type.Union([Type.String(), Type.Null()]),
    name: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    country: Type.Union([Type.String(), Type.Null()]),
    for: Type.String(),
    source: Type.Union([Type.String(), Type.Null()]),
  });
  app.get(
    '/incidents/:id/parties',
    {
      schema: {
        tags,
        summary: "Who the lookup says can act on the incident's hosts (ISP, and a foreign host's national CSIRT)",
        params: IdParams,
        response: { 200: Type.Array(PartySuggestion), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => incidents.suggestParties(request.ctx, request.params.id),
  );

  app.get(
    '/coordinations/waiting',
    {
      schema: { tags, summary: 'Waiting on a third party: overdue reminders first', response: { 200: Type.Array(Coordination), ...errorResponses(401, 403) } },
    },
    async (request) => (await incidents.waitingOnThirdParty(request.ctx)).map(presentCoordination),
  );

  app.get(
    '/coordinations/:id',
    { schema: { tags, summary: 'A coordination', params: IdParams, response: { 200: Coordination, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => presentCoordination(await incidents.getCoordination(request.ctx, request.params.id)),
  );

  app.patch(
    '/coordinations/:id',
    {
      schema: {
        tags,
        summary: "Change a coordination's contact, notes or next reminder",
        params: IdParams,
        body: UpdateCoordinationRequest,
        response: { 200: Coordination, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => presentCoordination(await incidents.updateCoordination(request.ctx, request.params.id, request.body)),
  );

  app.post(
    '/coordinations/:id/transitions',
    {
      schema: {
        tags,
        summary: 'Move a coordination to another state (allowed transitions only)',
        params: IdParams,
        body: TransitionCoordinationRequest,
        response: { 200: Coordination, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => presentCoordination(await incidents.transitionCoordination(request.ctx, request.params.id, request.body.state, request.body.note)),
  );

  app.post(
    '/coordinations/:id/messages',
    {
      schema: {
        tags,
        summary: "Mail the party in the coordination's thread (signed; encrypted when it has a key); drafted → sent",
        params: IdParams,
        body: SendCoordinationRequest,
        response: { 200: Coordination, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => presentCoordination(await incidents.sendCoordinationMessage(request.ctx, request.params.id, request.body)),
  );
}
