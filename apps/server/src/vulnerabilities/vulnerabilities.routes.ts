import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  AcceptVulnerabilityReportRequest,
  AddVendorRequest,
  CaseDetail,
  CaseListQuery,
  CasePage,
  CaseVulnerability,
  CreateVulnerabilityReportRequest,
  CreateVulnerabilityRequest,
  CreatedVulnerabilityReport,
  DeclineVulnerabilityReportRequest,
  Embargo,
  EmbargoDecisionRequest,
  ProposeEmbargoRequest,
  SetStatusesRequest,
  VulnerabilityReportDetail,
  VulnerabilityReportListQuery,
  VulnerabilityReportPage,
} from '@renkei/contract';
import { errorResponses } from '../http/openapi.ts';
import { caseMessageRoutes } from './case-messages.routes.ts';
import { webhookRoutes } from './webhooks.routes.ts';
import { advisoryRoutes } from './advisories.routes.ts';
import { caseOfficeRoutes } from './case-office.routes.ts';
import { caseParticipantRoutes } from './case-participants.routes.ts';
import { registryRoutes } from './registry.routes.ts';
import { vendorMailRoutes } from './vendor-mail.routes.ts';
import { scoreVulnerabilityInput } from './vulnerability-input.ts';
import { vulnerabilitiesPolicy } from './vulnerabilities.policy.ts';
import type { VulnerabilitiesService } from './vulnerabilities.service.ts';
import { presentCaseDetail, presentCaseSummary, presentReportDetail, presentReportSummary } from './vulnerabilities.presenter.ts';

const tags = ['vulnerabilities'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const ParticipantParams = Type.Object({ id: Type.String({ format: 'uuid' }), participantId: Type.String({ format: 'uuid' }) });
const EmbargoParams = Type.Object({ id: Type.String({ format: 'uuid' }), embargoId: Type.String({ format: 'uuid' }) });
const nextOffset = (offset: number, limit: number, total: number) => (offset + limit < total ? offset + limit : null);

/** Finders' reports under /api/v1: intake (finders' tools, partners forwarding), the team's queue and the decision. */
const reportRoutes: FastifyPluginAsyncTypebox<{ vulnerabilities: VulnerabilitiesService }> = async (app, { vulnerabilities }) => {
  app.post(
    '/vulnerability-reports',
    {
      config: { callerLimit: 'vulnerability-reports' },
      schema: {
        tags,
        summary: "File a vulnerability report (a finder's tool, or a partner forwarding on the finder's behalf with its own partnerReference)",
        body: CreateVulnerabilityReportRequest,
        response: { 201: CreatedVulnerabilityReport, ...errorResponses(400, 401, 403, 429) },
      },
    },
    async (request, reply) => {
      // The API is for accounts and tokens; finders without one use the public form.
      vulnerabilitiesPolicy.authorize(request.ctx.actor, 'reports.create');
      const { report, followUpToken } = await vulnerabilities.createVulnerabilityReport(request.ctx, {
        ...request.body,
        channel: 'api',
        clientAddress: request.ip,
        withFollowUpToken: true,
      });
      return reply.status(201).send({ id: report.id, reference: report.reference, followUpToken });
    },
  );

  app.get(
    '/vulnerability-reports',
    {
      schema: {
        tags,
        summary: 'Finders’ reports, newest first',
        querystring: VulnerabilityReportListQuery,
        response: { 200: VulnerabilityReportPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { offset, limit, status } = request.query;
      const page = await vulnerabilities.listVulnerabilityReports(request.ctx, { status, offset, limit });
      return { items: page.rows.map(presentReportSummary), total: page.total, nextOffset: nextOffset(offset, limit, page.total) };
    },
  );

  app.get(
    '/vulnerability-reports/:id',
    { schema: { tags, summary: 'A finder’s report', params: IdParams, response: { 200: VulnerabilityReportDetail, ...errorResponses(400, 401, 403, 404) } } },
    async (request) => {
      const { report, forwardedBy } = await vulnerabilities.getVulnerabilityReport(request.ctx, request.params.id);
      return presentReportDetail(report, forwardedBy);
    },
  );

  app.post(
    '/vulnerability-reports/:id/accept',
    {
      schema: {
        tags,
        summary: 'Accept a report: a case (VU-YYYY-NNNNN) is opened and the finder told',
        params: IdParams,
        body: AcceptVulnerabilityReportRequest,
        response: { 201: Type.Object({ id: Type.String(), reference: Type.String() }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(await vulnerabilities.acceptVulnerabilityReport(request.ctx, request.params.id, request.body)),
  );

  app.post(
    '/vulnerability-reports/:id/decline',
    {
      schema: {
        tags,
        summary: 'Decline a report with the reason the finder is sent',
        params: IdParams,
        body: DeclineVulnerabilityReportRequest,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await vulnerabilities.declineVulnerabilityReport(request.ctx, request.params.id, request.body.reason);
      return reply.status(204).send(null);
    },
  );
};

/** Cases under /api/v1: the list (and `?since=` change feed), the case page, vendors, vulnerabilities, statuses, embargo. */
const caseRoutes: FastifyPluginAsyncTypebox<{ vulnerabilities: VulnerabilitiesService }> = async (app, { vulnerabilities }) => {
  app.get(
    '/cases',
    {
      schema: {
        tags,
        summary: 'Cases the caller may see, most recently modified first; `since` gives only those changed after an instant',
        querystring: CaseListQuery,
        response: { 200: CasePage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { offset, limit, status, q, since } = request.query;
      const page = await vulnerabilities.listCases(request.ctx, { status, q, since: since ? new Date(since) : undefined, offset, limit });
      const forParticipant = request.ctx.actor.kind === 'user' && !page.team;
      return { items: page.rows.map((row) => presentCaseSummary(row, forParticipant)), total: page.total, nextOffset: nextOffset(offset, limit, page.total) };
    },
  );

  app.get(
    '/cases/:id',
    { schema: { tags, summary: 'A case as the caller may see it', params: IdParams, response: { 200: CaseDetail, ...errorResponses(400, 401, 404) } } },
    async (request) => presentCaseDetail(await vulnerabilities.getCase(request.ctx, request.params.id)),
  );

  app.post(
    '/cases/:id/vendors',
    {
      schema: {
        tags,
        summary: 'Add a vendor from the directory; it is "not yet notified" on every vulnerability until shared',
        params: IdParams,
        body: AddVendorRequest,
        response: { 201: Type.Object({ participantId: Type.String() }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const participant = await vulnerabilities.addVendor(request.ctx, request.params.id, request.body);
      return reply.status(201).send({ participantId: participant.id });
    },
  );

  app.post(
    '/cases/:id/participants/:participantId/share',
    {
      schema: {
        tags,
        summary: 'Share the case with a participant: its users see it from now; a vendor’s 起算日 starts',
        params: ParticipantParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await vulnerabilities.shareWithParticipant(request.ctx, request.params.id, request.params.participantId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/cases/:id/vulnerabilities',
    {
      schema: {
        tags,
        summary: 'Add a vulnerability (CWE checked against the catalogue, CVSS vectors scored)',
        params: IdParams,
        body: CreateVulnerabilityRequest,
        response: { 201: CaseVulnerability, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { cweId, scored } = scoreVulnerabilityInput(request.body);
      const created = await vulnerabilities.addVulnerability(request.ctx, request.params.id, { ...request.body, cweId }, scored);
      const view = presentCaseDetail(await vulnerabilities.getCase(request.ctx, request.params.id));
      return reply.status(201).send(view.vulnerabilities.find((v) => v.id === created.id)!);
    },
  );

  app.put(
    '/cases/:id/statuses',
    {
      schema: {
        tags,
        summary: "Set status rows: a vendor's user its own organisation's answers; the team any vendor's row",
        params: IdParams,
        body: SetStatusesRequest,
        response: { 200: Type.Array(CaseDetail.properties.statuses.items), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      await vulnerabilities.setStatuses(request.ctx, request.params.id, request.body.statuses);
      return presentCaseDetail(await vulnerabilities.getCase(request.ctx, request.params.id)).statuses;
    },
  );

  app.put(
    '/cases/:id/tracking-id',
    {
      schema: {
        tags,
        summary: "A vendor's own tracking ID for the case (its PSIRT ticket); null clears it",
        params: IdParams,
        body: Type.Object({ trackingId: Type.Union([Type.String({ maxLength: 100 }), Type.Null()]) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await vulnerabilities.setTrackingId(request.ctx, request.params.id, request.body.trackingId);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/cases/:id/embargo',
    {
      schema: {
        tags,
        summary: 'Propose a publication instant (UTC, whole minutes); earlier open proposals are superseded',
        params: IdParams,
        body: ProposeEmbargoRequest,
        response: { 201: Embargo, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const created = await vulnerabilities.proposeEmbargo(request.ctx, request.params.id, request.body);
      const view = presentCaseDetail(await vulnerabilities.getCase(request.ctx, request.params.id));
      return reply.status(201).send(view.embargoes.find((e) => e.id === created.id)!);
    },
  );

  app.post(
    '/cases/:id/embargo/:embargoId/decision',
    {
      schema: {
        tags,
        summary: "Accept or reject a proposed instant: a participant for itself; the team's acceptance agrees it",
        params: EmbargoParams,
        body: EmbargoDecisionRequest,
        response: { 200: Embargo, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      await vulnerabilities.decideEmbargo(request.ctx, request.params.id, request.params.embargoId, request.body);
      const view = presentCaseDetail(await vulnerabilities.getCase(request.ctx, request.params.id));
      return view.embargoes.find((e) => e.id === request.params.embargoId)!;
    },
  );
};

/** The vulnerabilities API under /api/v1. */
export const vulnerabilitiesRoutes: FastifyPluginAsyncTypebox<{ vulnerabilities: VulnerabilitiesService }> = async (app, options) => {
  await app.register(reportRoutes, options);
  await app.register(caseRoutes, options);
  await app.register(caseParticipantRoutes, options);
  await app.register(caseMessageRoutes, options);
  await app.register(webhookRoutes, options);
  await app.register(advisoryRoutes, options);
  await app.register(registryRoutes, options);
  await app.register(caseOfficeRoutes, options);
  await app.register(vendorMailRoutes, options);
};
