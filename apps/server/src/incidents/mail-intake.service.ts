import type { Kysely } from 'kysely';
import { parseTlp } from '@renkei/contract';
import type { Schema } from '../db/schema/index.ts';
import { cleanText } from '../kernel/text.ts';
import type { MailService } from '../mail/index.ts';
import { systemContext } from '../policy/actor.ts';
import { appendEvent } from './incidents.repository.ts';
import {
  findReportByReference,
  incidentIdsOfReport,
  insertReportMessage,
  lockReport,
  reportMessageOfMailExists,
  reportReferenceOfMail,
} from './reports.repository.ts';
import type { CreatedReport, NewReport } from './reports.service.ts';
import type { RequestContext } from '../policy/actor.ts';

/** Flags on which the mail intake files nothing. */
const SKIPPED_FLAGS = ['dsn', 'auto_reply', 'unmatched_reply'];

export type MailIntakeOutcome = { outcome: 'report' | 'coordination' | 'reporter_reply' | 'skipped' | 'exists'; reference?: string };

export interface MailIntakeDeps {
  db: Kysely<Schema>;
  mail: MailService;
  createReport: (ctx: RequestContext, input: NewReport) => Promise<CreatedReport>;
  recordInbound: (message: { id: string; threadId: string; subject: string; fromAddress: string | null; receivedAt: Date }) => Promise<boolean>;
}

type InboundMessage = Awaited<ReturnType<MailService['getMessage']>>;

/** The reporter answered in the report's thread: a report message, and an event on each linked incident. */
async function recordReporterMail(db: Kysely<Schema>, report: { id: string; reference: string }, message: InboundMessage): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await lockReport(trx, report.id);
    if (await reportMessageOfMailExists(trx, report.id, message.id)) return false;
    await insertReportMessage(trx, {
      reportId: report.id,
      author: 'reporter',
      authorId: null,
      body: cleanText(message.textBody || message.htmlText || '', 20_000),
      mailMessageId: message.id,
    });
    for (const incidentId of await incidentIdsOfReport(trx, report.id))
      await appendEvent(trx, incidentId, { id: null, label: 'reporter' }, 'reporter_message', {
        reportId: report.id,
        reference: report.reference,
        mailMessageId: message.id,
      });
    return true;
  });
}

/**
 * The mail intake (job `incidents.intake-mail`): an inbound message becomes a report, an event on a
 * coordination, or the reporter's answer.
 * @example const intake = createMailIntake({ db, mail, createReport, recordInbound }); await intake.intakeMail(messageId);
 */
export function createMailIntake(deps: MailIntakeDeps) {
  const { db, mail } = deps;
  return {
    /**
     * The mail intake job: an inbound message becomes a report with its observables, or, in a
     * coordination's thread, an event on that incident, or, in a report's thread, the reporter's answer.
     * Idempotent: a message already turned into a report is left alone.
     */
    async intakeMail(messageId: string): Promise<MailIntakeOutcome> {
      const ctx = systemContext('mail-intake');
      const existing = await reportReferenceOfMail(db, messageId);
      if (existing !== undefined) return { outcome: 'exists', reference: existing };
      // A second run (an at-least-once retry) must not record a reply twice either: each branch below checks its own link.
      const message = await mail.getMessage(ctx, messageId);
      if (message.direction !== 'inbound' || message.flags.some((f) => SKIPPED_FLAGS.includes(f))) return { outcome: 'skipped' };
      if (
        message.threadId &&
        (await deps.recordInbound({
          id: message.id,
          threadId: message.threadId,
          subject: message.subject,
          fromAddress: message.fromAddress,
          receivedAt: message.receivedAt,
        }))
      )
        return { outcome: 'coordination' };
      if (message.threadKey?.startsWith('IR-')) {
        const report = await findReportByReference(db, message.threadKey);
        if (report) {
          const recorded = await recordReporterMail(db, report, message);
          return recorded ? { outcome: 'reporter_reply', reference: report.reference } : { outcome: 'exists' };
        }
      }
      const body = message.textBody || message.htmlText || '';
      const created = await deps.createReport(ctx, {
        channel: 'email',
        title: message.subject || '(no subject)',
        description: body,
        tlp: (message.tlp ? parseTlp(message.tlp) : null) ?? undefined,
        reporter: {
          name: message.fromName ?? undefined,
          email: message.fromAddress ?? undefined,
          language: /[\u3040-\u30ff\u4e00-\u9fff]/.test(`${message.subject}${body.slice(0, 2000)}`) ? 'ja' : 'en',
        },
        rawSha256: message.rawSha256,
        raw: { contentType: 'message/rfc822' },
        mailMessageId: message.id,
        mailThreadId: message.threadId ?? undefined,
        clientAddress: null,
      });
      return { outcome: 'report', reference: created.report.reference };
    },
  };
}
