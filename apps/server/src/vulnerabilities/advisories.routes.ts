import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  AdvisoryPreview,
  AdvisoryRevision,
  AdvisoryView,
  Publication,
  ReleaseEarlyRequest,
  ReleaseEarlyResult,
  ReviseAdvisoryRequest,
  type AdvisoryRevision as AdvisoryRevisionShape,
  type Publication as PublicationShape,
} from '@renkei/contract';
import { errorResponses } from '../http/openapi.ts';
import type { NamedRevisionRow, RevisionRow } from './advisories.repository.ts';
import type { VulnerabilitiesService } from './vulnerabilities.service.ts';

const tags = ['vulnerabilities'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const RevisionParams = Type.Object({ id: Type.String({ format: 'uuid' }), n: Type.Integer({ minimum: 1, maximum: 1_000_000 }) });
// A read takes any text for the number: what is not a revision's number is the same 404 as one the advisory lacks.
const RevisionReadParams = Type.Object({ id: Type.String({ format: 'uuid' }), n: Type.String({ maxLength: 64 }) });
const revisionNumber = (text: string) => (/^[1-9]\d{0,6}$/.test(text) ? Number(text) : 0);

function presentRevision(row: RevisionRow & Partial<Pick<NamedRevisionRow, 'author_name' | 'approver_name'>>): AdvisoryRevisionShape {
  return {
    number: row.number,
    state: row.state as AdvisoryRevisionShape['state'],
    content: row.content,
    note: row.note,
    authorId: row.author_id,
    authorName: row.author_name ?? null,
    approvedBy: row.approved_by,
    approvedByName: row.approver_name ?? null,
    approvedAt: row.approved_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

function presentView(view: { caseId: string; latest: RevisionRow; revisions: RevisionRow[] }) {
  return {
    caseId: view.caseId,
    latest: presentRevision(view.latest),
    revisions: view.revisions.map((r) => {
      const { content: _content, ...summary } = presentRevision(r);
      return summary;
    }),
  };
}

function presentPublication(p: Awaited<ReturnType<VulnerabilitiesService['getPublication']>>): PublicationShape {
  return {
    caseId: p.caseId,
    published: p.record !== null,
    publicId: p.record?.public_id ?? null,
    publishedAt: p.record?.published_at.toISOString() ?? null,
    revision: p.record?.revision_number ?? null,
    document: p.record?.document ?? null,
    dueAt: p.dueAt?.toISOString() ?? null,
    blockers: p.blockers,
  };
}

/**
 * A case's advisory under /api/v1/cases/:id: the team drafts and revises it, a publisher approves it,
 * participants preview it, the team may release it early, and the publication record is read here.
 */
export const advisoryRoutes: FastifyPluginAsyncTypebox<{ vulnerabilities: VulnerabilitiesService }> = async (app, { vulnerabilities }) => {
  app.get(
    '/cases/:id/advisory',
    {
      schema: {
        tags,
        summary: "The advisory's latest revision and every revision (team)",
        params: IdParams,
        response: { 200: AdvisoryView, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => presentView(await vulnerabilities.getAdvisory(request.ctx, request.params.id)),
  );

  app.post(
    '/cases/:id/advisory',
    {
      schema: {
        tags,
        summary: 'Generate a draft from the case as it stands (vulnerabilities, vendor statuses, credit), as a new revision',
        params: IdParams,
        response: { 201: AdvisoryView, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(presentView(await vulnerabilities.draftAdvisory(request.ctx, request.params.id))),
  );

  app.post(
    '/cases/:id/advisory/revisions',
    {
      schema: {
        tags,
        summary: 'A new revision from edited sections (ja and en); the earlier ones stay',
        params: IdParams,
        body: ReviseAdvisoryRequest,
        response: { 201: AdvisoryRevision, ...errorResponses(400, 401, 403, 404, 409, 413) },
      },
    },
    async (request, reply) => reply.status(201).send(presentRevision(await vulnerabilities.reviseAdvisory(request.ctx, request.params.id, request.body))),
  );

  app.get(
    '/cases/:id/advisory/revisions/:n',
    {
      schema: {
        tags,
        summary: 'One revision with its content, as it was saved (team)',
        params: RevisionReadParams,
        response: { 200: AdvisoryRevision, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => presentRevision(await vulnerabilities.getRevision(request.ctx, request.params.id, revisionNumber(request.params.n))),
  );

  app.post(
    '/cases/:id/advisory/revisions/:n/approve',
    {
      schema: {
        tags,
        summary: 'Approve a draft revision (publisher or admin); the one approved before is superseded',
        params: RevisionParams,
        response: { 200: AdvisoryRevision, ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (request) => presentRevision((await vulnerabilities.approveAdvisory(request.ctx, request.params.id, request.params.n)).revision),
  );

  app.get(
    '/cases/:id/advisory/preview',
    {
      schema: {
        tags,
        summary: 'The advisory as it will be published (the approved revision, else the latest draft), for the participants the case is shared with',
        params: IdParams,
        response: { 200: AdvisoryPreview, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const preview = await vulnerabilities.previewAdvisory(request.ctx, request.params.id);
      return { ...preview, state: preview.state as AdvisoryRevisionShape['state'] };
    },
  );

  app.post(
    '/cases/:id/release-early',
    {
      schema: {
        tags,
        summary: 'Exploitation seen: lift the embargo and publish now (with an approved advisory), telling every participant at once',
        params: IdParams,
        body: ReleaseEarlyRequest,
        response: { 200: ReleaseEarlyResult, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => {
      const { embargoId, published, notified } = await vulnerabilities.releaseEarly(request.ctx, request.params.id, request.body);
      return { embargoId, published, notified };
    },
  );

  app.get(
    '/cases/:id/publication',
    {
      schema: {
        tags,
        summary: 'The publication record (the frozen advisory and its public ID), or when it is due and what stands in its way (team)',
        params: IdParams,
        response: { 200: Publication, ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => presentPublication(await vulnerabilities.getPublication(request.ctx, request.params.id)),
  );
};
