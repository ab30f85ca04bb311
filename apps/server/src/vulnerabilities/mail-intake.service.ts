import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import type { MailService } from '../mail/index.ts';
import { type RequestContext, systemContext } from '../policy/actor.ts';
import { findReportOfMail } from './reports.repository.ts';
import type { NewVulnerabilityReport, createVulnerabilityReports } from './reports.service.ts';

/** Flags on which the intake files nothing: bounces, auto-replies, replies that matched no thread. */
const SKIPPED_FLAGS = ['dsn', 'auto_reply', 'unmatched_reply'];
/** Hiragana, katakana or CJK ideographs: the finder writes Japanese. */
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

export type VulnerabilityMailOutcome = { outcome: 'report' | 'skipped' | 'exists'; reference?: string };

export interface VulnerabilityMailIntakeDeps {
  db: Kysely<Schema>;
  mail: Pick<MailService, 'getMessage'>;
  createVulnerabilityReport: ReturnType<typeof createVulnerabilityReports>['createVulnerabilityReport'];
}

/**
 * The vulnerability mail intake (job `vulnerabilities.intake-mail`, enqueued instead of the incidents
 * intake for mail to the vulnerability intake address): one inbound message, already decrypted by the
 * mail domain, becomes one finder's report with the text as its description and the files as its proof of
 * concept. Idempotent: a message already filed (or filed by a racing run, refused by the unique index) is left alone.
 * @example const intake = createVulnerabilityMailIntake({ db, mail, createVulnerabilityReport }); await intake.intakeVulnerabilityMail(messageId);
 */
export function createVulnerabilityMailIntake(deps: VulnerabilityMailIntakeDeps) {
  const { db, mail } = deps;
  return {
    async intakeVulnerabilityMail(messageId: string): Promise<VulnerabilityMailOutcome> {
      const ctx: RequestContext = systemContext('vulnerability-mail-intake');
      const existing = await findReportOfMail(db, messageId);
      if (existing) return { outcome: 'exists', reference: existing.reference };
      const message = await mail.getMessage(ctx, messageId);
      if (message.direction !== 'inbound' || message.flags.some((f) => SKIPPED_FLAGS.includes(f))) return { outcome: 'skipped' };
      // Untrusted input, all of it: the report's own cleaning (lengths, control characters) applies.
      const text = message.textBody || message.htmlText || '';
      const input: NewVulnerabilityReport = {
        channel: 'email',
        // Mail has no product field: the team reads it from the text (the subject is the title).
        productName: '',
        title: message.subject || '(no subject)',
        description: text,
        finder: {
          name: message.fromName ?? undefined,
          email: message.fromAddress ?? undefined,
          language: JAPANESE.test(`${message.subject}${text.slice(0, 4000)}`) ? 'ja' : 'en',
        },
        mailMessageId: message.id,
        clientAddress: null,
        attachments: message.parts.map((part) => ({
          sha256: part.sha256,
          filename: part.filename ?? `attachment-${part.sha256.slice(0, 12)}`,
          contentType: part.contentType,
          size: part.size,
        })),
      };
      try {
        const { report } = await deps.createVulnerabilityReport(ctx, input);
        return { outcome: 'report', reference: report.reference };
      } catch (error) {
        // A run racing this one filed the message first (vulnerability_reports_mail_message).
        if ((error as { code?: unknown }).code === '23505') {
          const raced = await findReportOfMail(db, messageId);
          if (raced) return { outcome: 'exists', reference: raced.reference };
        }
        throw error;
      }
    },
  };
}

/**
 * True when a new inbound message was sent to the vulnerability intake address (compared without case).
 * @example isForVulnerabilityIntake(['report+vuln@cert.example'], 'report+vuln@cert.example') // true
 */
export function isForVulnerabilityIntake(recipients: readonly string[], address: string): boolean {
  const wanted = address.toLowerCase();
  return recipients.some((recipient) => recipient.toLowerCase() === wanted);
}
