import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  CreateReportRequest,
  CreateReportResponse,
  Proposal,
  ReplyToReporterRequest,
  ReportDetail,
  ReportListQuery,
  ReportSummary,
  UpdateReportRequest,
  Page,
} from '@renkei/contract';
import { BadRequestError, PayloadTooLargeError } from '../kernel/errors.ts';
import { errorResponses } from '../http/openapi.ts';
import type { IncidentsService, NewReport } from './incidents.service.ts';
import { presentCreatedReport, presentProposal, presentReportDetail, presentReportSummary } from './incidents.presenter.ts';
import { incidentsPolicy } from './incidents.policy.ts';
import { IdParams, tags } from './incidents.route-params.ts';
import { type ParsedReport, ReportFormatError, parseIodef, parseXarf02, parseXarf03 } from './report-formats.ts';

type IncidentsApp = Parameters<FastifyPluginAsyncTypebox<{ incidents: IncidentsService }>>[0];

/** Structured report formats by content type: IODEF v2 XML, X-ARF 0.3 JSON, X-ARF 0.2 mail-style. */
export const STRUCTURED_TYPES = {
  iodef: ['application/xml', 'text/xml', 'application/iodef+xml'],
  xarf03: ['application/xarf+json'],
  xarf02: ['message/rfc822', 'text/x-xarf', 'application/x-xarf'],
} as const;
/** Largest structured report read (the XML parser has its own caps on depth and element count too). */
export const STRUCTURED_LIMIT = 2 * 1024 * 1024;

/** A filed report's body as the intake takes it: JSON, or IODEF / X-ARF read by the hardened readers. Untrusted input. */
function reportFromBody(contentType: string, body: unknown): NewReport {
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
  return input;
}

/** Reports under /api/v1: intake (JSON, IODEF, X-ARF), the triage queue, changes, proposals and answers to the reporter. */
export function reportRoutes(app: IncidentsApp, incidents: IncidentsService): void {
  app.post(
    '/reports',
    {
      bodyLimit: STRUCTURED_LIMIT,
      config: { callerLimit: 'reports' },
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
        response: { 201: CreateReportResponse, ...errorResponses(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      incidentsPolicy.authorize(request.ctx.actor, 'reports.create');
      const input = reportFromBody((request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase(), request.body);
      const result = await incidents.createReport(request.ctx, input);
      return reply.status(201).send(presentCreatedReport(result));
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
      return {
        items: page.items.map((item) => presentReportSummary(item, item.observableCount)),
        total: page.total,
        nextOffset: offset + limit < page.total ? offset + limit : null,
      };
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
      return presentReportDetail(view, view.lookup);
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
      return presentReportSummary(report, 0);
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
    async (request) => (await incidents.proposals(request.ctx, request.params.id)).map(presentProposal),
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
      return presentReportDetail(view, []);
    },
  );
}
