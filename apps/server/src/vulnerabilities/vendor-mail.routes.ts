import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { CaseMail, SendVendorMailsRequest, type VendorMailTemplate, VendorMailDraft, VendorMailDraftsRequest } from '@renkei/contract';
import { errorResponses } from '../http/openapi.ts';
import type { VulnerabilitiesService } from './vulnerabilities.service.ts';

const tags = ['vulnerabilities'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

type ListedMail = Awaited<ReturnType<VulnerabilitiesService['listVendorMails']>>[number];

/** The one output shape of a case mail. */
function presentCaseMail({ row, delivery, vendorName }: ListedMail): CaseMail {
  return {
    id: row.id,
    participantId: row.participant_id,
    organisationId: row.organisation_id,
    vendorName,
    template: row.template as VendorMailTemplate,
    language: row.language === 'en' ? 'en' : 'ja',
    encrypted: row.encrypted,
    content: row.content === 'full' ? 'full' : 'notice_only',
    to: row.to_address,
    subject: row.subject,
    mailMessageId: row.mail_message_id,
    sentAt: row.sent_at.toISOString(),
    status: delivery?.status ?? 'unknown',
    statusDetail: delivery?.statusDetail ?? null,
    deliveryStatus: delivery?.deliveryStatus ?? null,
    deliveryDetail: delivery?.deliveryDetail ?? null,
  };
}

/** The team's mail to a case's vendors (drafts, send, the sent list), under /api/v1; team only. */
export const vendorMailRoutes: FastifyPluginAsyncTypebox<{ vulnerabilities: VulnerabilitiesService }> = async (app, { vulnerabilities }) => {
  app.post(
    '/cases/:id/mail-drafts',
    {
      schema: {
        tags,
        summary: "Draft a template's mail to all or some vendors of the case, each in its language, saying whether it would go encrypted",
        params: IdParams,
        body: VendorMailDraftsRequest,
        response: { 200: Type.Array(VendorMailDraft), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => vulnerabilities.draftVendorMails(request.ctx, request.params.id, request.body),
  );

  app.post(
    '/cases/:id/mails',
    {
      schema: {
        tags,
        summary: 'Send the (edited) drafts through the outbox: encrypted where a key exists, otherwise only the log-in notice; each is a contact attempt',
        params: IdParams,
        body: SendVendorMailsRequest,
        response: { 201: Type.Object({ ids: Type.Array(Type.String()) }), ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => reply.status(201).send(await vulnerabilities.sendVendorMails(request.ctx, request.params.id, request.body)),
  );

  app.get(
    '/cases/:id/mails',
    {
      schema: {
        tags,
        summary: "The case's mails to vendors with their outbox and delivery (DSN) status, newest first",
        params: IdParams,
        response: { 200: Type.Array(CaseMail), ...errorResponses(401, 403, 404) },
      },
    },
    async (request) => (await vulnerabilities.listVendorMails(request.ctx, request.params.id)).map(presentCaseMail),
  );
};
