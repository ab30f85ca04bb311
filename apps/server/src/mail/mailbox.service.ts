import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { TlpLabel } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { BlobStore } from '../blobs/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { NotFoundError } from '../kernel/errors.ts';
import type { RequestContext } from '../policy/actor.ts';
import { mailPolicy } from './mail.policy.ts';
import {
  type MailMessageDetail,
  type MailMessageSummary,
  type MailPart,
  type MailThread,
  type MessageFilter,
  createThread,
  findMessage,
  findPart,
  findThreadById,
  findThreadByKey,
  listMessages,
  listThreads,
  lockMessageFiling,
  lockThreadKey,
  setMessageThread,
} from './mail.repository.ts';
import type { KeyRing } from './pgp.ts';
import { type MailLanguage, type RenderedMail, TEMPLATES, findTemplate, renderTemplate } from './templates.ts';

export interface MailboxDeps {
  db: Kysely<Schema>;
  blobs: BlobStore;
  keyRing: KeyRing;
  /** The team's own names: `{{team}}` in templates. */
  team: () => Promise<{ name: string; nameJa: string | null }>;
}

export interface TemplatePreviewInput {
  to?: string | undefined;
  template: string;
  variables: Record<string, string>;
  tlp: TlpLabel;
  language?: MailLanguage | undefined;
}

/**
 * The mailbox: threads, messages and their parts as staff read them, filing of unmatched replies, template previews.
 * @example const mailbox = createMailbox({ db, blobs, keyRing, team }); await mailbox.listThreads(ctx, { offset: 0, limit: 50 });
 */
export function createMailbox(deps: MailboxDeps) {
  // Async throughout, so a refusal by the policy comes back as a rejected promise, never a throw.
  const { db, blobs } = deps;
  return {
    listMessages: async (
      ctx: RequestContext,
      filter: MessageFilter,
      page: { offset: number; limit: number },
    ): Promise<{ items: MailMessageSummary[]; total: number }> => listMessages(db, filter, page, mailPolicy.listScope(ctx.actor, 'messages.read')),
    getMessage: (ctx: RequestContext, id: string): Promise<MailMessageDetail> => getMessage(db, ctx, id),
    listThreads: async (ctx: RequestContext, page: { offset: number; limit: number }): Promise<{ items: MailThread[]; total: number }> =>
      listThreads(db, page, mailPolicy.listScope(ctx.actor, 'messages.read')),
    openAttachment: (ctx: RequestContext, messageId: string, partId: string): Promise<{ part: MailPart; stream: Readable }> =>
      openAttachment(db, blobs, ctx, messageId, partId),
    assignThread: (ctx: RequestContext, messageId: string, threadId: string): Promise<MailMessageDetail> => assignThread(db, ctx, messageId, threadId),
    ensureThread: (key: string, subject: string): Promise<{ id: string; key: string }> => ensureThread(db, key, subject),
    listTemplates: (ctx: RequestContext): { name: string; description: string; variables: string[] }[] => {
      mailPolicy.authorize(ctx.actor, 'templates.preview');
      return TEMPLATES.map((t) => ({ name: t.name, description: t.description, variables: [...t.variables] }));
    },
    previewTemplate: (ctx: RequestContext, input: TemplatePreviewInput): Promise<RenderedMail> => previewTemplate(deps, ctx, input),
  };
}

async function getMessage(db: Kysely<Schema>, ctx: RequestContext, id: string): Promise<MailMessageDetail> {
  const notFound = () => new NotFoundError('mail_message_not_found', 'No such message');
  const message = await findMessage(db, id, mailPolicy.detailScope(ctx.actor, 'messages.read', notFound));
  if (!message) throw notFound();
  return message;
}

async function openAttachment(
  db: Kysely<Schema>,
  blobs: BlobStore,
  ctx: RequestContext,
  messageId: string,
  partId: string,
): Promise<{ part: MailPart; stream: Readable }> {
  const scope = mailPolicy.detailScope(ctx.actor, 'messages.read', () => new NotFoundError('mail_part_not_found', 'No such attachment'));
  const part = await findPart(db, messageId, partId, scope);
  if (!part) throw new NotFoundError('mail_part_not_found', 'No such attachment');
  return { part, stream: await blobs.open(part.sha256) };
}

async function assignThread(db: Kysely<Schema>, ctx: RequestContext, messageId: string, threadId: string): Promise<MailMessageDetail> {
  mailPolicy.authorize(ctx.actor, 'messages.assign');
  await db.transaction().execute(async (trx) => {
    const message = await lockMessageFiling(trx, messageId);
    if (!message) throw new NotFoundError('mail_message_not_found', 'No such message');
    const thread = await findThreadById(trx, threadId);
    if (!thread) throw new NotFoundError('mail_thread_not_found', 'No such thread');
    const flags = message.flags.filter((f) => f !== 'unmatched_reply');
    await setMessageThread(trx, messageId, thread.id, flags);
    await recordAudit(trx, ctx, {
      action: 'mail.assign_thread',
      targetType: 'mail_message',
      targetId: messageId,
      before: { threadId: message.threadId, flags: message.flags },
      after: { threadId: thread.id, flags },
    });
  });
  return (await findMessage(db, messageId))!;
}

async function ensureThread(db: Kysely<Schema>, key: string, subject: string): Promise<{ id: string; key: string }> {
  const existing = await findThreadByKey(db, key);
  if (existing) return existing;
  return db.transaction().execute(async (trx) => {
    await lockThreadKey(trx, key);
    return (await findThreadByKey(trx, key)) ?? createThread(trx, subject, key);
  });
}

async function previewTemplate(deps: MailboxDeps, ctx: RequestContext, input: TemplatePreviewInput): Promise<RenderedMail> {
  mailPolicy.authorize(ctx.actor, 'templates.preview');
  const template = findTemplate(input.template);
  const language = input.language ?? (input.to ? (await deps.keyRing.recipient(input.to)).language : null) ?? 'en';
  const self = await deps.team();
  const team = language === 'ja' ? (self.nameJa ?? self.name) : self.name;
  return renderTemplate(template, language, { team, ...input.variables }, input.tlp);
}
