import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  MailMessageDetail,
  MailMessageSummary,
  MailTemplateInfo,
  MailThread,
  Page,
  RenderedMail,
  SendMailRequest,
  SendTemplateRequest,
  TemplatePreviewRequest,
} from '@renkei/contract';
import { sendDownload } from '../http/download.ts';
import { errorResponses } from '../http/openapi.ts';
import type { MailMessageDetail as Detail, MailMessageSummary as Summary, MailThread as Thread } from './mail.repository.ts';
import type { MailService } from './mail.service.ts';

const iso = (date: Date | null) => date?.toISOString() ?? null;
const summaryView = <T extends Summary>(m: T) => ({ ...m, receivedAt: m.receivedAt.toISOString() });
const detailView = (m: Detail) => ({ ...summaryView(m), sentAt: iso(m.sentAt), pgpCheckedAt: iso(m.pgpCheckedAt) });
const threadView = (t: Thread) => ({ ...t, createdAt: t.createdAt.toISOString(), lastMessageAt: t.lastMessageAt.toISOString() });
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const PageQuery = {
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
};

/** Mailbox reading (staff), attachment download, sending, templates. */
export const mailRoutes: FastifyPluginAsyncTypebox<{ mail: MailService }> = async (app, { mail }) => {
  app.get(
    '/mail/messages',
    {
      schema: {
        tags: ['mail'],
        summary: 'Stored messages, newest first (inbound unless direction says otherwise; `all` gives both, e.g. a whole thread)',
        querystring: Type.Object({
          ...PageQuery,
          direction: Type.Union([Type.Literal('inbound'), Type.Literal('outbound'), Type.Literal('all')], { default: 'inbound' }),
          threadId: Type.Optional(Type.String({ format: 'uuid' })),
          flag: Type.Optional(Type.Union([Type.Literal('unmatched_reply'), Type.Literal('auto_reply'), Type.Literal('dsn')])),
        }),
        response: { 200: Page(MailMessageSummary), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { offset, limit, direction, threadId, flag } = request.query;
      const page = await mail.listMessages(request.ctx, { direction: direction === 'all' ? undefined : direction, threadId, flag }, { offset, limit });
      return { items: page.items.map(summaryView), total: page.total, nextOffset: offset + limit < page.total ? offset + limit : null };
    },
  );

  app.get(
    '/mail/messages/:id',
    {
      schema: {
        tags: ['mail'],
        summary: 'One message with its parts',
        params: IdParams,
        response: { 200: MailMessageDetail, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => detailView(await mail.getMessage(request.ctx, request.params.id)),
  );

  app.get(
    '/mail/messages/:id/parts/:partId',
    {
      schema: {
        tags: ['mail'],
        summary: 'Download an attachment (always as an opaque file, never displayed inline)',
        params: Type.Object({ id: Type.String({ format: 'uuid' }), partId: Type.String({ format: 'uuid' }) }),
        response: { 200: Type.Any(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { part, stream } = await mail.openAttachment(request.ctx, request.params.id, request.params.partId);
      return sendDownload(reply, { filename: part.filename, sha256: part.sha256, size: part.size, stream });
    },
  );

  app.post(
    '/mail/messages/:id/thread',
    {
      schema: {
        tags: ['mail'],
        summary: 'File a message (e.g. an unmatched reply) under a thread',
        params: IdParams,
        body: Type.Object({ threadId: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
        response: { 200: MailMessageDetail, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => detailView(await mail.assignThread(request.ctx, request.params.id, request.body.threadId)),
  );

  app.get(
    '/mail/threads',
    {
      schema: {
        tags: ['mail'],
        summary: 'Threads, most recently active first',
        querystring: Type.Object(PageQuery),
        response: { 200: Page(MailThread), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { offset, limit } = request.query;
      const page = await mail.listThreads(request.ctx, { offset, limit });
      return { items: page.items.map(threadView), total: page.total, nextOffset: offset + limit < page.total ? offset + limit : null };
    },
  );

  app.post(
    '/mail/outbound',
    {
      schema: {
        tags: ['mail'],
        summary: 'Send a message: signed always, encrypted when the recipient has a valid key; queued for the relay',
        body: SendMailRequest,
        response: { 202: MailMessageDetail, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => reply.status(202).send(detailView(await mail.send(request.ctx, request.body))),
  );

  app.post(
    '/mail/outbound/template',
    {
      schema: {
        tags: ['mail'],
        summary: "Send a template in the recipient's language",
        body: SendTemplateRequest,
        response: { 202: MailMessageDetail, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => reply.status(202).send(detailView(await mail.sendTemplate(request.ctx, request.body))),
  );

  app.get(
    '/mail/templates',
    { schema: { tags: ['mail'], summary: 'The mail templates', response: { 200: Type.Array(MailTemplateInfo), ...errorResponses(401, 403) } } },
    async (request) => mail.listTemplates(request.ctx),
  );

  app.post(
    '/mail/templates/:name/preview',
    {
      schema: {
        tags: ['mail'],
        summary: 'Render a template with variables, in a language (or the recipient’s), with its TLP label',
        params: Type.Object({ name: Type.String({ maxLength: 100 }) }),
        body: TemplatePreviewRequest,
        response: { 200: RenderedMail, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => mail.previewTemplate(request.ctx, { ...request.body, template: request.params.name }),
  );
};
