import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  CreateIncidentRequest,
  Incident,
  IncidentEvent,
  IncidentListQuery,
  LinkReportsRequest,
  MergeIncidentRequest,
  NoteRequest,
  Page,
  SplitIncidentRequest,
  UpdateIncidentRequest,
} from '@renkei/contract';
import { errorResponses } from '../http/openapi.ts';
import type { IncidentsService } from './incidents.service.ts';
import { presentEvent, presentIncident, presentIncidentSummary } from './incidents.presenter.ts';
import { IdParams, tags } from './incidents.route-params.ts';

type IncidentsApp = Parameters<FastifyPluginAsyncTypebox<{ incidents: IncidentsService }>>[0];

/** Incidents under /api/v1: create, list, read, change, link reports, merge, split, notes and the timeline. */
export function incidentRecordRoutes(app: IncidentsApp, incidents: IncidentsService): void {
  app.post(
    '/incidents',
    {
      schema: {
        tags,
        summary: 'Create an incident from reports',
        body: CreateIncidentRequest,
        response: { 201: Incident, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.status(201).send(presentIncident(await incidents.createIncident(request.ctx, request.body))),
  );

  app.get(
    '/incidents',
    {
      schema: {
        tags,
        summary: 'Incidents by priority, newest first',
        querystring: IncidentListQuery,
        response: { 200: Page(Type.Omit(Incident, ['reportIds'])), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { offset, limit } = request.query;
      const page = await incidents.listIncidents(request.ctx, request.query);
      return { items: page.items.map(presentIncidentSummary), total: page.total, nextOffset: offset + limit < page.total ? offset + limit : null };
    },
  );

  app.get(
    '/incidents/:id',
    { schema: { tags, summary: 'An incident with its report IDs', params: IdParams, response: { 200: Incident, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => presentIncident(await incidents.getIncident(request.ctx, request.params.id)),
  );

  app.patch(
    '/incidents/:id',
    {
      schema: {
        tags,
        summary: 'Set category, TLP, priority, assignee, due time, status or phishing detail',
        params: IdParams,
        body: UpdateIncidentRequest,
        response: { 200: Incident, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => presentIncident(await incidents.updateIncident(request.ctx, request.params.id, request.body)),
  );

  app.post(
    '/incidents/:id/reports',
    {
      schema: {
        tags,
        summary: 'Link reports to the incident',
        params: IdParams,
        body: LinkReportsRequest,
        response: { 200: Incident, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => presentIncident(await incidents.linkReports(request.ctx, request.params.id, request.body.reportIds)),
  );

  app.post(
    '/incidents/:id/merge',
    {
      schema: {
        tags,
        summary: 'Merge this incident into another (kept, read-only, with a merged_into pointer)',
        params: IdParams,
        body: MergeIncidentRequest,
        response: { 200: Incident, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => presentIncident(await incidents.mergeIncident(request.ctx, request.params.id, request.body.intoId)),
  );

  app.post(
    '/incidents/:id/split',
    {
      schema: {
        tags,
        summary: 'Move some reports into a new incident',
        params: IdParams,
        body: SplitIncidentRequest,
        response: { 201: Incident, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(presentIncident(await incidents.splitIncident(request.ctx, request.params.id, request.body))),
  );

  app.post(
    '/incidents/:id/notes',
    {
      schema: {
        tags,
        summary: 'Add a note to the timeline',
        params: IdParams,
        body: NoteRequest,
        response: { 201: Type.Array(IncidentEvent), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => reply.status(201).send((await incidents.addNote(request.ctx, request.params.id, request.body.body)).map(presentEvent)),
  );

  app.get(
    '/incidents/:id/timeline',
    {
      schema: {
        tags,
        summary: 'Every report link, message, state change, note, merge and split, in order',
        params: IdParams,
        response: { 200: Type.Array(IncidentEvent), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => (await incidents.timeline(request.ctx, request.params.id)).map(presentEvent),
  );
}
