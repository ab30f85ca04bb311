import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  Coordination,
  CreateCoordinationRequest,
  CreateIncidentRequest,
  CreateReportRequest,
  CreateReportResponse,
  Incident,
  IncidentEvent,
  IncidentListQuery,
  LinkReportsRequest,
  MergeIncidentRequest,
  NoteRequest,
  Page,
  Proposal,
  ReplyToReporterRequest,
  ReportDetail,
  ReportListQuery,
  ReportSummary,
  SendCoordinationRequest,
  SplitIncidentRequest,
  TransitionCoordinationRequest,
  UpdateCoordinationRequest,
  UpdateIncidentRequest,
  UpdateReportRequest,
} from '@renkei/contract';
import { BadRequestError, PayloadTooLargeError } from '../kernel/errors.ts';
import { errorResponses } from '../http/openapi.ts';
import type { CreatedReport, IncidentsService, NewReport } from './incidents.service.ts';
import { incidentsPolicy } from './incidents.policy.ts';
import { type ParsedReport, ReportFormatError, parseIodef, parseXarf02, parseXarf03 } from './report-formats.ts';

/** Dates become ISO strings, everywhere in the object: the one presenter of this domain's output. */
export function present<T>(value: T): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(present);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, present(v)]));
  return value;
}
const as = <T>(value: unknown) => present(value) as T;

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const tags = ['incidents'];

/** Structured report formats by content type: IODEF v2 XML, X-ARF 0.3 JSON, X-ARF 0.2 mail-style. */
export const STRUCTURED_TYPES = {
  iodef: ['application/xml', 'text/xml', 'application/iodef+xml'],
  xarf03: ['application/xarf+json'],
  xarf02: ['message/rfc822', 'text/x-xarf', 'application/x-xarf'],
} as const;
/** Largest structured report read (the XML parser has its own caps on depth and element count too). */
export const STRUCTURED_LIMIT = 2 * 1024 * 1024;

const created = (result: CreatedReport) => ({
  id: result.report.id,
  reference: result.report.reference,
  observableCount: result.observableCount,
  observablesDropped: result.observablesDropped,
  warnings: result.warnings,
});

/** The incidents API under /api/v1: reports (intake and triage), incidents, coordinations, timeline. */
export const incidentsRoutes: FastifyPluginAsyncTypebox<{ incidents: IncidentsService }> = async (app, { incidents }) => {
  // Only inside this plugin: the structured formats arrive as text and are parsed by our hardened readers.
  const asText = (_request: unknown, body: string | Buffer, done: (error: Error | null, body?: unknown) => void) =>
    done(null, typeof body === 'string' ? body : body.toString('utf8'));
  app.addContentTypeParser(
    [...STRUCTURED_TYPES.iodef, ...STRUCTURED_TYPES.xarf02, ...STRUCTURED_TYPES.xarf03],
    { parseAs: 'string', bodyLimit: STRUCTURED_LIMIT },
    asText,
  );

  app.post(
    '/reports',
    {
      bodyLimit: STRUCTURED_LIMIT,
      schema: {
        tags,
        summary:
          'File a report (partners, tools): JSON, or IODEF v2 XML (application/xml, application/iodef+xml), X-ARF 0.3 (application/xarf+json), X-ARF 0.2 mail-style (message/rfc822, text/x-xarf); answers the reference',
        body: {
          content: {
            'application/json': { schema: CreateReportRequest },
            ...Object.fromEntries(
              [...STRUCTURED_TYPES.iodef, ...STRUCTURED_TYPES.xarf02, ...STRUCTURED_TYPES.xarf03].map((type) => [
                type,
                { schema: Type.String({ maxLength: STRUCTURED_LIMIT }) },
              ]),
            ),
          },
        } as never,
        response: { 201: CreateReportResponse, ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request, reply) => {
      incidentsPolicy.authorize(request.ctx.actor, 'reports.create');
      const contentType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const body = request.body;
      let input: NewReport;
      if (contentType === 'application/json' || contentType === '') {
        if (!body || typeof body !== 'object' || Array.isArray(body))
          throw new BadRequestError('malformed_report', 'Send the report as a JSON object, or IODEF/X-ARF with their content type');
        const json = body as CreateReportRequest;
        input = {
          channel: 'api',
          title: json.title,
          description: json.description,
          category: json.category,
          tlp: json.tlp,
          reporter: json.reporter,
          observables: json.observables,
          raw: { text: JSON.stringify(json), contentType: 'application/json' },
        };
      } else {
        if (typeof body !== 'string') throw new BadRequestError('malformed_report', 'Expected a text body');
        if (Buffer.byteLength(body) > STRUCTURED_LIMIT) throw new PayloadTooLargeError('report_too_large', `A report may be at most ${STRUCTURED_LIMIT} bytes`);
        let parsed: ParsedReport;
        let channel: 'iodef' | 'xarf';
        try {
          if ((STRUCTURED_TYPES.iodef as readonly string[]).includes(contentType)) {
            parsed = parseIodef(body);
            channel = 'iodef';
          } else if ((STRUCTURED_TYPES.xarf03 as readonly string[]).includes(contentType)) {
            let json: unknown;
            try {
              json = JSON.parse(body);
            } catch {
              throw new ReportFormatError('The X-ARF 0.3 report is not valid JSON');
            }
            parsed = parseXarf03(json);
            channel = 'xarf';
          } else {
            parsed = parseXarf02(body);
            channel = 'xarf';
          }
        } catch (error) {
          if (error instanceof ReportFormatError) throw new BadRequestError('malformed_report', error.message);
          throw error;
        }
        input = { channel, ...parsed, raw: { bytes: Buffer.from(body), contentType } };
      }
      const result = await incidents.createReport(request.ctx, input);
      return reply.status(201).send(created(result));
    },
  );

  app.get(
    '/reports',
    {
      schema: {
        tags,
        summary: 'The triage queue: reports by priority, then oldest first',
        querystring: ReportListQuery,
        response: { 200: Page(ReportSummary), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { offset, limit } = request.query;
      const page = await incidents.listReports(request.ctx, { status: request.query.status, channel: request.query.channel, offset, limit });
      return { items: as<never[]>(page.items), total: page.total, nextOffset: offset + limit < page.total ? offset + limit : null };
    },
  );

  app.get(
    '/reports/:id',
    {
      schema: {
        tags,
        summary: 'A report with its observables, incidents, messages and the lookup answers',
        params: IdParams,
        response: { 200: ReportDetail, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const view = await incidents.getReport(request.ctx, request.params.id);
      return as<never>({ ...view, observableCount: view.observables.length });
    },
  );

  app.patch(
    '/reports/:id',
    {
      schema: {
        tags,
        summary: 'Change status, priority, TLP or category of a report',
        params: IdParams,
        body: UpdateReportRequest,
        response: { 200: ReportSummary, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const report = await incidents.updateReport(request.ctx, request.params.id, request.body);
      return as<never>({ ...report, observableCount: 0 });
    },
  );

  app.get(
    '/reports/:id/proposals',
    {
      schema: {
        tags,
        summary: 'Open incidents with the same URL, host or IP and category within the window, for an analyst to confirm',
        params: IdParams,
        response: { 200: Type.Array(Proposal), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => as<never>(await incidents.proposals(request.ctx, request.params.id)),
  );

  app.post(
    '/reports/:id/messages',
    {
      schema: {
        tags,
        summary: "Answer the reporter (shown on the report's status page)",
        params: IdParams,
        body: ReplyToReporterRequest,
        response: { 200: ReportDetail, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const view = await incidents.replyToReporter(request.ctx, request.params.id, request.body.body);
      return as<never>({ ...view, observableCount: view.observables.length, lookup: [] });
    },
  );

  const incidentOut = (view: Awaited<ReturnType<IncidentsService['getIncident']>>) => as<never>(view);

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
    async (request, reply) => reply.status(201).send(incidentOut(await incidents.createIncident(request.ctx, request.body))),
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
      return { items: as<never[]>(page.items), total: page.total, nextOffset: offset + limit < page.total ? offset + limit : null };
    },
  );

  app.get(
    '/incidents/:id',
    { schema: { tags, summary: 'An incident with its report IDs', params: IdParams, response: { 200: Incident, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => incidentOut(await incidents.getIncident(request.ctx, request.params.id)),
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
    async (request) => incidentOut(await incidents.updateIncident(request.ctx, request.params.id, request.body)),
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
    async (request) => incidentOut(await incidents.linkReports(request.ctx, request.params.id, request.body.reportIds)),
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
    async (request) => incidentOut(await incidents.mergeIncident(request.ctx, request.params.id, request.body.intoId)),
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
    async (request, reply) => reply.status(201).send(incidentOut(await incidents.splitIncident(request.ctx, request.params.id, request.body))),
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
    async (request, reply) => reply.status(201).send(as<never>(await incidents.addNote(request.ctx, request.params.id, request.body.body))),
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
    async (request) => as<never>(await incidents.timeline(request.ctx, request.params.id)),
  );

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
    async (request) => as<never>(await incidents.listCoordinations(request.ctx, request.params.id)),
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
    async (request, reply) => reply.status(201).send(as<never>(await incidents.createCoordination(request.ctx, request.params.id, request.body))),
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
    async (request) => as<never>(await incidents.waitingOnThirdParty(request.ctx)),
  );

  app.get(
    '/coordinations/:id',
    { schema: { tags, summary: 'A coordination', params: IdParams, response: { 200: Coordination, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => as<never>(await incidents.getCoordination(request.ctx, request.params.id)),
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
    async (request) => as<never>(await incidents.updateCoordination(request.ctx, request.params.id, request.body)),
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
    async (request) => as<never>(await incidents.transitionCoordination(request.ctx, request.params.id, request.body.state, request.body.note)),
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
    async (request) => as<never>(await incidents.sendCoordinationMessage(request.ctx, request.params.id, request.body)),
  );
};
