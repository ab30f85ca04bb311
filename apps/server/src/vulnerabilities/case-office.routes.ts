import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import {
  AnnounceUnreachableRequest,
  CaseDashboard,
  CaseTimeline,
  CaseDashboardQuery,
  ContactAttempt,
  CreateContactAttemptRequest,
  UnreachableDeveloper,
  UnreachableDeveloperList,
} from '@renkei/contract';
import { errorResponses } from '../http/openapi.ts';
import { presentCaseDashboard, presentContactAttempt, presentUnreachableDeveloper } from './back-office.presenter.ts';
import type { VulnerabilitiesService } from './vulnerabilities.service.ts';

const tags = ['vulnerabilities'];

// A plain reply: the CSV text is sent as it is, outside the JSON response schema.
function sendCsv(reply: FastifyReply, name: string, csv: string) {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(csv);
}
const ParticipantParams = Type.Object({ id: Type.String({ format: 'uuid' }), participantId: Type.String({ format: 'uuid' }) });

/** The team's records of reaching vendors, the unreachable developers' list, and the dates dashboard. */
export const caseOfficeRoutes: FastifyPluginAsyncTypebox<{ vulnerabilities: VulnerabilitiesService }> = async (app, { vulnerabilities }) => {
  app.get(
    '/cases/:id/timeline',
    {
      schema: {
        tags,
        summary: "The case's timeline for the team: every event, newest first, with who did it and the participant it concerns",
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: CaseTimeline, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => vulnerabilities.caseTimeline(request.ctx, request.params.id),
  );

  app.post(
    '/cases/:id/participants/:participantId/contact-attempts',
    {
      schema: {
        tags,
        summary: 'Record an attempt to reach a vendor of the case (mail, phone, post, web form) and its outcome',
        params: ParticipantParams,
        body: CreateContactAttemptRequest,
        response: { 201: ContactAttempt, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { row, participantId } = await vulnerabilities.recordContactAttempt(request.ctx, request.params.id, request.params.participantId, request.body);
      return reply.status(201).send(presentContactAttempt(row, participantId));
    },
  );

  app.get(
    '/cases/:id/participants/:participantId/contact-attempts',
    {
      schema: {
        tags,
        summary: 'Every recorded attempt to reach the vendor, oldest first',
        params: ParticipantParams,
        response: { 200: Type.Object({ items: Type.Array(ContactAttempt) }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const rows = await vulnerabilities.listContactAttempts(request.ctx, request.params.id, request.params.participantId);
      return { items: rows.map((r) => presentContactAttempt(r, request.params.participantId)) };
    },
  );

  app.post(
    '/cases/:id/participants/:participantId/unreachable',
    {
      schema: {
        tags,
        summary: 'Declare the vendor unreachable (at least one contact attempt must be recorded; 409 otherwise): its status rows become "unreachable"',
        params: ParticipantParams,
        response: { 200: Type.Object({ unreachableAt: Type.String({ format: 'date-time' }) }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const at = await vulnerabilities.declareUnreachable(request.ctx, request.params.id, request.params.participantId);
      return { unreachableAt: at.toISOString() };
    },
  );

  app.post(
    '/cases/:id/participants/:participantId/unreachable/publish',
    {
      schema: {
        tags,
        summary:
          "Announce the unreachable developer on the public list (JVN's procedure: announce, wait, publish): the case may be published without it from announcedAt + the configured days",
        params: ParticipantParams,
        body: AnnounceUnreachableRequest,
        response: { 200: UnreachableDeveloper, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      await vulnerabilities.announceUnreachable(request.ctx, request.params.id, request.params.participantId, request.body ?? {});
      const rows = await vulnerabilities.listUnreachableDevelopers(request.ctx);
      return presentUnreachableDeveloper(rows.find((r) => r.participant_id === request.params.participantId)!);
    },
  );

  app.get(
    '/unreachable-developers',
    {
      schema: {
        tags,
        summary: 'Developers declared unreachable: case, first contact, attempts, declared and announced dates, and whether the name is on the public list',
        response: { 200: UnreachableDeveloperList, ...errorResponses(401, 403) },
      },
    },
    async (request) => ({ items: (await vulnerabilities.listUnreachableDevelopers(request.ctx)).map(presentUnreachableDeveloper) }),
  );

  app.get(
    '/cases/dashboard',
    {
      schema: {
        tags,
        summary:
          'Open cases with days since the first 起算日 and to the target, those past target, and the median days from first 起算日 to publication per fiscal quarter. `?format=csv` answers RFC 4180 CSV (`table=cases`, the default, or `table=quarters`).',
        querystring: CaseDashboardQuery,
        response: { 200: CaseDashboard, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      if (request.query.format !== 'csv') return presentCaseDashboard(await vulnerabilities.caseDashboard(request.ctx));
      const table = request.query.table ?? 'cases';
      const csv = await vulnerabilities.caseDashboardCsv(request.ctx, table);
      return sendCsv(reply, `case-dates-${table}`, csv);
    },
  );
};
