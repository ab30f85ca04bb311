import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { VulnerabilityReportAttachment } from '@renkei/contract';
import { sendDownload } from '../http/download.ts';
import { errorResponses } from '../http/openapi.ts';
import type { VulnerabilitiesService } from './vulnerabilities.service.ts';

const tags = ['vulnerabilities'];

/** The files of finders' reports under /api/v1, for the team: the list, and each as a download never shown inline. */
export const vulnerabilityReportFileRoutes: FastifyPluginAsyncTypebox<{ vulnerabilities: VulnerabilitiesService }> = async (app, { vulnerabilities }) => {
  app.get(
    '/vulnerability-reports/:id/attachments',
    {
      schema: {
        tags,
        summary: 'The files (proof of concept) of a finder’s report',
        params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Array(VulnerabilityReportAttachment), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => vulnerabilities.listReportAttachments(request.ctx, request.params.id),
  );

  app.get(
    '/vulnerability-reports/:id/attachments/:position',
    {
      schema: {
        tags,
        summary: 'Download a file of a finder’s report (always as an opaque attachment, never displayed)',
        // The position is checked here, not by the schema: any ID that names no file is the same 404.
        params: Type.Object({ id: Type.String({ format: 'uuid' }), position: Type.String({ maxLength: 100, description: 'The file’s position, from 0' }) }),
        response: { 200: Type.Any(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const position = /^\d{1,5}$/.test(request.params.position) ? Number(request.params.position) : -1;
      const { attachment, stream } = await vulnerabilities.openReportAttachment(request.ctx, request.params.id, position);
      return sendDownload(reply, { filename: attachment.filename, sha256: attachment.sha256, size: attachment.size, stream });
    },
  );
};
