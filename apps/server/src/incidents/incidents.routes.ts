import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { coordinationRoutes } from './coordinations.routes.ts';
import { incidentRecordRoutes } from './incident-records.routes.ts';
import type { IncidentsService } from './incidents.service.ts';
import { STRUCTURED_LIMIT, STRUCTURED_TYPES, reportRoutes } from './reports.routes.ts';

export { STRUCTURED_LIMIT, STRUCTURED_TYPES } from './reports.routes.ts';

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

  reportRoutes(app, incidents);
  incidentRecordRoutes(app, incidents);
  coordinationRoutes(app, incidents);
};
