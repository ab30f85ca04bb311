import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { LookupRequest, LookupResponse } from '@renkei/contract';
import { errorResponses } from '../../http/openapi.ts';
import type { NetworkLookupService } from './network.service.ts';

/** POST /contacts/lookup: "who can act on this?" for a pasted list (staff roles). */
export const networkRoutes: FastifyPluginAsyncTypebox<{ network: NetworkLookupService }> = async (app, { network }) => {
  app.post(
    '/contacts/lookup',
    {
      schema: {
        tags: ['contacts'],
        summary:
          'Look up IPs, domains and URLs (defanged forms accepted): prefix, ASN, AS name, country, organisation, abuse contact, national CSIRT, each with source, date and confidence',
        body: LookupRequest,
        response: { 200: LookupResponse, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ({ answers: await network.lookup(request.ctx, request.body.items, { online: request.body.online ?? false }) }),
  );
};
