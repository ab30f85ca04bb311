import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import type { VulnerabilityReportsTable } from '../db/schema/vulnerabilities.ts';
import { type Scope, scopeWhere } from '../policy/scope.ts';

export type VulnerabilityReportRow = Selectable<VulnerabilityReportsTable>;
export type ReportListRow = VulnerabilityReportRow & { case_reference: string | null; case_id: string | null };

export async function insertVulnerabilityReport(db: Kysely<Schema>, row: Insertable<VulnerabilityReportsTable>): Promise<VulnerabilityReportRow> {
  return db.insertInto('vulnerability_reports').values(row).returningAll().executeTakeFirstOrThrow();
}

/** A partner's earlier report with the same reference: a retried forward files nothing twice. */
export async function findForwarded(db: Kysely<Schema>, organisationId: string, partnerReference: string): Promise<VulnerabilityReportRow | undefined> {
  return db
    .selectFrom('vulnerability_reports')
    .selectAll()
    .where('forwarded_by', '=', organisationId)
    .where('partner_reference', '=', partnerReference)
    .executeTakeFirst();
}

const withCase = (db: Kysely<Schema>) =>
  db
    .selectFrom('vulnerability_reports as r')
    .leftJoin('vulnerability_cases as c', 'c.report_id', 'r.id')
    .selectAll('r')
    .select(['c.reference as case_reference', 'c.id as case_id']);

export async function listVulnerabilityReports(
  db: Kysely<Schema>,
  scope: Scope,
  filter: { status?: string | undefined; offset: number; limit: number },
): Promise<{ rows: ReportListRow[]; total: number }> {
  let query = withCase(db).where(scopeWhere(scope));
  let count = db.selectFrom('vulnerability_reports as r').where(scopeWhere(scope));
  if (filter.status) {
    query = query.where('r.status', '=', filter.status);
    count = count.where('r.status', '=', filter.status);
  }
  const [rows, total] = await Promise.all([
    query.orderBy('r.received_at', 'desc').orderBy('r.id', 'desc').offset(filter.offset).limit(filter.limit).execute(),
    count.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: total.n };
}

export async function findVulnerabilityReport(db: Kysely<Schema>, scope: Scope, id: string): Promise<ReportListRow | undefined> {
  return withCase(db).where('r.id', '=', id).where(scopeWhere(scope)).executeTakeFirst();
}

/** The report a finder's follow-up token opens (by the token's hash). */
export async function findReportByTokenHash(db: Kysely<Schema>, reference: string, tokenHash: string): Promise<ReportListRow | undefined> {
  return withCase(db).where('r.reference', '=', reference).where('r.follow_up_token_hash', '=', tokenHash).executeTakeFirst();
}

/** Locks a report for a decision; undefined when absent. */
export async function lockVulnerabilityReport(db: Kysely<Schema>, id: string): Promise<VulnerabilityReportRow | undefined> {
  return db.selectFrom('vulnerability_reports').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function attachmentsOf(db: Kysely<Schema>, reportId: string) {
  return db.selectFrom('vulnerability_report_attachments').selectAll().where('report_id', '=', reportId).orderBy('position').execute();
}

/** A file of a report as an intake channel hands it over: already in the blob store. Names are untrusted input. */
export interface ReportAttachmentInput {
  sha256: string;
  filename: string;
  contentType: string;
  size: number;
}

export async function insertAttachments(db: Kysely<Schema>, reportId: string, files: readonly ReportAttachmentInput[]): Promise<void> {
  if (files.length === 0) return;
  await db
    .insertInto('vulnerability_report_attachments')
    .values(files.map((f, position) => ({ report_id: reportId, position, sha256: f.sha256, filename: f.filename, content_type: f.contentType, size: f.size })))
    .execute();
}

/** One file of a report, by its position. */
export async function findAttachment(db: Kysely<Schema>, reportId: string, position: number) {
  return db.selectFrom('vulnerability_report_attachments').selectAll().where('report_id', '=', reportId).where('position', '=', position).executeTakeFirst();
}

/** The report filed from this inbound message, if any. */
export async function findReportOfMail(db: Kysely<Schema>, mailMessageId: string): Promise<{ reference: string } | undefined> {
  return db.selectFrom('vulnerability_reports').select('reference').where('mail_message_id', '=', mailMessageId).executeTakeFirst();
}
