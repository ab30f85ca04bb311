import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { type CreateVulnerabilityReportRequest, type VulnerabilityReportChannel, tlpLabel } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { OrganisationRef } from '../contacts/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { ConflictError, NotFoundError } from '../kernel/errors.ts';
import { cleanText } from '../kernel/text.ts';
import type { MailService } from '../mail/index.ts';
import { type RequestContext, actorId } from '../policy/actor.ts';
import { ALL } from '../policy/scope.ts';
import { nextNumber, touchCase } from './cases.repository.ts';
import { finderNotice } from './finder-notices.ts';
import {
  type ReportListRow,
  type VulnerabilityReportRow,
  findForwarded,
  findReportByTokenHash,
  findVulnerabilityReport,
  type ReportAttachmentInput,
  insertAttachments,
  insertVulnerabilityReport,
  listVulnerabilityReports,
  lockVulnerabilityReport,
} from './reports.repository.ts';
import { vulnerabilitiesPolicy } from './vulnerabilities.policy.ts';

/** A report as an intake channel hands it over; every field is untrusted input. */
export interface NewVulnerabilityReport extends CreateVulnerabilityReportRequest {
  channel: VulnerabilityReportChannel;
  clientAddress?: string | null | undefined;
  mailMessageId?: string | null | undefined;
  /** Make a follow-up token for the finder (form, API); shown once, stored hashed. */
  withFollowUpToken?: boolean | undefined;
  /** Proof of concept and other files, already in the blob store; kept in this order. */
  attachments?: readonly ReportAttachmentInput[] | undefined;
}

export interface VulnerabilityReportsDeps {
  db: Kysely<Schema>;
  mail: Pick<MailService, 'ensureThread' | 'prepareSend' | 'queue'>;
  organisationsByIds: (ids: readonly string[]) => Promise<Map<string, OrganisationRef>>;
  now: () => Date;
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
const cleanOrNull = (value: string | undefined | null, max: number): string | null => (value ? cleanText(value, max) || null : null);
const reportReference = (year: number, n: number) => `VR-${year}-${String(n).padStart(5, '0')}`;
export const caseReference = (year: number, n: number) => `VU-${year}-${String(n).padStart(5, '0')}`;

/**
 * Finders' reports: intake from the form, mail and API (a partner may forward one, keeping the finder's
 * identity and anonymity choice), the team's list, and the decision: accept (a case is made) or decline
 * with a reason. The finder is told either way, in their language, through the mail outbox.
 */
export function createVulnerabilityReports(deps: VulnerabilityReportsDeps) {
  const { db, now } = deps;

  return {
    /** Files a finder's report from any channel; a partner's retry with the same reference returns the first. */
    async createVulnerabilityReport(
      ctx: RequestContext,
      input: NewVulnerabilityReport,
    ): Promise<{ report: VulnerabilityReportRow; followUpToken: string | null }> {
      if (ctx.actor.kind === 'user') vulnerabilitiesPolicy.authorize(ctx.actor, 'reports.create');
      // A partner forwarding on a finder's behalf: its organisation is recorded, its reference de-duplicates.
      const partnerOrganisation =
        ctx.actor.kind === 'user' && ctx.actor.roles.has('partner') ? (ctx.actor.memberships.find((m) => m.role === 'partner')?.organisationId ?? null) : null;
      const partnerReference = partnerOrganisation ? cleanOrNull(input.partnerReference, 100) : null;
      if (partnerOrganisation && partnerReference) {
        const earlier = await findForwarded(db, partnerOrganisation, partnerReference);
        if (earlier) return { report: earlier, followUpToken: null };
      }
      const token = input.withFollowUpToken ? randomBytes(24).toString('base64url') : null;
      return db.transaction().execute(async (trx) => {
        const at = now();
        const reference = reportReference(at.getUTCFullYear(), await nextNumber(trx, 'VR', at.getUTCFullYear()));
        const report = await insertVulnerabilityReport(trx, {
          reference,
          channel: input.channel,
          product_name: cleanText(input.productName, 300),
          product_version: cleanOrNull(input.productVersion, 300),
          developer_name: cleanOrNull(input.developerName, 300),
          vulnerability_type: cleanOrNull(input.vulnerabilityType, 40),
          title: cleanText(input.title ?? '', 500),
          description: cleanText(input.description, 100_000),
          reproduction: cleanText(input.reproduction ?? '', 100_000),
          discovered_on: input.discoveredOn ?? null,
          developer_contacted: input.developerContacted ?? null,
          disclosure_plans: cleanText(input.disclosurePlans ?? '', 10_000),
          credit_name: cleanOrNull(input.credit?.name, 200),
          credit_organisation: cleanOrNull(input.credit?.organisation, 200),
          credit_anonymous: input.credit?.anonymous ?? false,
          finder_name: cleanOrNull(input.finder?.name, 200),
          finder_email: cleanOrNull(input.finder?.email?.toLowerCase(), 254),
          finder_pgp_key: input.finder?.pgpKey?.trim() || null,
          finder_language: input.finder?.language ?? null,
          forwarded_by: partnerOrganisation,
          partner_reference: partnerReference,
          follow_up_token_hash: token ? hashToken(token) : null,
          mail_message_id: input.mailMessageId ?? null,
          client_address: input.clientAddress ?? null,
          created_by: actorId(ctx.actor),
          received_at: at,
        });
        await insertAttachments(trx, report.id, storableAttachments(input.attachments ?? []));
        await recordAudit(trx, ctx, {
          action: 'vulnerability_report.create',
          targetType: 'vulnerability_report',
          targetId: report.id,
          after: { reference, channel: input.channel, forwardedBy: partnerOrganisation },
        });
        return { report, followUpToken: token };
      });
    },

    async listVulnerabilityReports(ctx: RequestContext, filter: { status?: string | undefined; offset: number; limit: number }) {
      const scope = vulnerabilitiesPolicy.listScope(ctx.actor, 'reports.read');
      return listVulnerabilityReports(db, scope, filter);
    },

    async getVulnerabilityReport(ctx: RequestContext, id: string): Promise<{ report: ReportListRow; forwardedBy: OrganisationRef | null }> {
      const notFound = () => new NotFoundError('vulnerability_report_not_found', 'No such vulnerability report');
      const scope = vulnerabilitiesPolicy.detailScope(ctx.actor, 'reports.read', notFound);
      const report = await findVulnerabilityReport(db, scope, id);
      if (!report) throw notFound();
      const forwardedBy = report.forwarded_by ? ((await deps.organisationsByIds([report.forwarded_by])).get(report.forwarded_by) ?? null) : null;
      return { report, forwardedBy };
    },

    /** The finder's own report, opened by its reference and follow-up token; absent and wrong token alike 404. */
    async reportForFinder(reference: string, token: string): Promise<ReportListRow> {
      const report = await findReportByTokenHash(db, reference, hashToken(token));
      if (!report) throw new NotFoundError('vulnerability_report_not_found', 'No such vulnerability report');
      return report;
    },

    /** Accepts a new report: makes its case (`VU-YYYY-NNNNN`), tells the finder. Returns the case's id. */
    async acceptVulnerabilityReport(
      ctx: RequestContext,
      id: string,
      input: { title?: string | undefined; titleJa?: string | undefined; multiParty?: boolean | undefined },
    ) {
      vulnerabilitiesPolicy.authorize(ctx.actor, 'reports.decide');
      const notice = await prepareNotice(deps, ctx, id, (r) => finderNotice('accepted', r.finder_language, { reference: r.reference }));
      return db.transaction().execute(async (trx) => {
        const report = await decidable(trx, id);
        const at = now();
        const reference = caseReference(at.getUTCFullYear(), await nextNumber(trx, 'VU', at.getUTCFullYear()));
        const title = cleanText(input.title ?? (report.title || `${report.product_name}: ${report.vulnerability_type ?? 'vulnerability'}`), 500);
        const created = await trx
          .insertInto('vulnerability_cases')
          .values({
            reference,
            report_id: report.id,
            title,
            title_ja: cleanOrNull(input.titleJa, 500),
            summary: report.description.slice(0, 2_000),
            multi_party: input.multiParty ?? false,
            coordinator_id: actorId(ctx.actor),
            created_by: actorId(ctx.actor),
            created_at: at,
            modified_at: at,
          })
          .returning(['id', 'reference'])
          .executeTakeFirstOrThrow();
        await trx
          .updateTable('vulnerability_reports')
          .set({ status: 'accepted', decided_by: actorId(ctx.actor), decided_at: at, updated_at: at })
          .where('id', '=', id)
          .execute();
        await trx
          .insertInto('case_events')
          .values({ case_id: created.id, kind: 'case_opened', detail: JSON.stringify({ report: report.reference }), actor_id: actorId(ctx.actor) })
          .execute();
        await touchCase(trx, created.id, at);
        await recordAudit(trx, ctx, { action: 'vulnerability_report.accept', targetType: 'vulnerability_report', targetId: id, after: created });
        if (notice) await deps.mail.queue(trx, ctx, notice);
        return created;
      });
    },

    /** Declines a new report with a reason the finder is sent. */
    async declineVulnerabilityReport(ctx: RequestContext, id: string, reason: string): Promise<void> {
      vulnerabilitiesPolicy.authorize(ctx.actor, 'reports.decide');
      const why = cleanText(reason, 10_000);
      const notice = await prepareNotice(deps, ctx, id, (r) => finderNotice('declined', r.finder_language, { reference: r.reference, reason: why }));
      await db.transaction().execute(async (trx) => {
        await decidable(trx, id);
        const at = now();
        await trx
          .updateTable('vulnerability_reports')
          .set({ status: 'declined', decline_reason: why, decided_by: actorId(ctx.actor), decided_at: at, updated_at: at })
          .where('id', '=', id)
          .execute();
        await recordAudit(trx, ctx, { action: 'vulnerability_report.decline', targetType: 'vulnerability_report', targetId: id, after: { reason: why } });
        if (notice) await deps.mail.queue(trx, ctx, notice);
      });
    },
  };
}

/**
 * The finder's notice, made before the deciding transaction (signing and the thread are outside it: on
 * PGlite's one connection a query beside an open transaction would wait for it forever) and queued inside.
 */
async function prepareNotice(
  deps: VulnerabilityReportsDeps,
  ctx: RequestContext,
  id: string,
  notice: (report: VulnerabilityReportRow) => ReturnType<typeof finderNotice>,
) {
  const report = await findVulnerabilityReport(deps.db, ALL, id);
  if (!report) throw new NotFoundError('vulnerability_report_not_found', 'No such vulnerability report');
  if (!report.finder_email) return null;
  const text = notice(report);
  const thread = await deps.mail.ensureThread(report.reference, text.subject);
  return deps.mail.prepareSend(ctx, {
    to: report.finder_email,
    subject: `[${report.reference}] ${text.subject}`,
    text: text.text,
    tlp: tlpLabel('amber'),
    threadId: thread.id,
  });
}

/** Files as a channel handed them over, with their untrusted names made storable. */
function storableAttachments(files: readonly ReportAttachmentInput[]): ReportAttachmentInput[] {
  return files.map((f) => ({
    ...f,
    filename: cleanText(f.filename, 255) || `attachment-${f.sha256.slice(0, 12)}`,
    contentType: cleanText(f.contentType, 255) || 'application/octet-stream',
  }));
}

/** The report, locked, if it is still undecided. */
async function decidable(trx: Transaction<Schema>, id: string): Promise<VulnerabilityReportRow> {
  const report = await lockVulnerabilityReport(trx, id);
  if (!report) throw new NotFoundError('vulnerability_report_not_found', 'No such vulnerability report');
  if (report.status !== 'new') throw new ConflictError('already_decided', `This report was already ${report.status}`);
  return report;
}
