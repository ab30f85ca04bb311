import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AddParticipantRequest } from '@renkei/contract';
import { errorResponses } from '../http/openapi.ts';
import type { VulnerabilitiesService } from './vulnerabilities.service.ts';

const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** Participants besides vendors (those are added through `/cases/:id/vendors`). */
export const caseParticipantRoutes: FastifyPluginAsyncTypebox<{ vulnerabilities: VulnerabilitiesService }> = async (app, { vulnerabilities }) => {
  app.post(
    '/cases/:id/participants',
    {
      schema: {
        tags: ['vulnerabilities'],
        summary:
          'Add a participant who is not a vendor: a partner coordinator (an organisation of kind csirt, which reads every vendor’s statuses once shared) or the finder’s organisation; it sees the case once shared',
        params: IdParams,
        body: AddParticipantRequest,
        response: { 201: Type.Object({ participantId: Type.String() }), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const participant = await vulnerabilities.addParticipant(request.ctx, request.params.id, request.body);
      return reply.status(201).send({ participantId: participant.id });
    },
  );
};
