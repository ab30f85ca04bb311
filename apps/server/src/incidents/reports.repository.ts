import type { Insertable, Kysely, Transaction, Updateable } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import type { ReportsTable } from '../db/schema/incidents.ts';
import { type IncidentModel, type ReportModel, reportRowToModel } from './incidents.repository.ts';

// The reports side of the domain's SQL: intake, triage, and the messages between team and reporter.

export async function insertReport(trx: Transaction<Schema>, values: Insertable<ReportsTable>): Promise<ReportModel> {
  return reportRowToModel(await trx.insertInto('reports').values(values).returningAll().executeTakeFirstOrThrow());
}

export async function updateReportRow(trx: Transaction<Schema>, id: string, set: Updateable<ReportsTable>): Promise<ReportModel> {
  return reportRowToModel(await trx.updateTable('reports').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow());
}

/** The incidents a report is linked to now, oldest first. */
export async function incidentsOfReport(
  db: Kysely<Schema>,
  reportId: string,
): Promise<{ id: string; reference: string; title: string; status: IncidentModel['status'] }[]> {
  return db
    .selectFrom('incident_reports as l')
    .innerJoin('incidents as i', 'i.id', 'l.incident_id')
    .select(['i.id', 'i.reference', 'i.title', 'i.status'])
    .where('l.report_id', '=', reportId)
    .where('l.unlinked_at', 'is', null)
    .orderBy('i.created_at')
    .execute();
}

export async function messagesOfReport(db: Kysely<Schema>, reportId: string): Promise<{ id: number; author: 'reporter' | 'team'; body: string; at: Date }[]> {
  return db.selectFrom('report_messages').select(['id', 'author', 'body', 'at']).where('report_id', '=', reportId).orderBy('id').execute();
}

export async function insertReportMessage(
  trx: Transaction<Schema>,
  message: { reportId: string; author: 'reporter' | 'team'; authorId: string | null; body: string; mailMessageId: string | null },
): Promise<void> {
  await trx
    .insertInto('report_messages')
    .values({ report_id: message.reportId, author: message.author, author_id: message.authorId, body: message.body, mail_message_id: message.mailMessageId })
    .execute();
}

export async function followUpTokenOf(db: Kysely<Schema>, reference: string): Promise<{ id: string; follow_up_token_hash: string | null } | undefined> {
  return db.selectFrom('reports').select(['id', 'follow_up_token_hash']).where('reference', '=', reference).executeTakeFirst();
}

export async function findReportByReference(db: Kysely<Schema>, reference: string): Promise<{ id: string; reference: string } | undefined> {
  return db.selectFrom('reports').select(['id', 'reference']).where('reference', '=', reference).executeTakeFirst();
}

export async function reportReferenceOfMail(db: Kysely<Schema>, mailMessageId: string): Promise<string | undefined> {
  const row = await db.selectFrom('reports').select('reference').where('mail_message_id', '=', mailMessageId).executeTakeFirst();
  return row?.reference;
}

export async function lockReport(trx: Transaction<Schema>, id: string): Promise<void> {
  await trx.selectFrom('reports').select('id').where('id', '=', id).forUpdate().execute();
}

export async function reportMessageOfMailExists(trx: Transaction<Schema>, reportId: string, mailMessageId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('report_messages')
    .select('id')
    .where('report_id', '=', reportId)
    .where('mail_message_id', '=', mailMessageId)
    .executeTakeFirst();
  return row !== undefined;
}

/** The incidents a report is linked to now (ids only). */
export async function incidentIdsOfReport(trx: Transaction<Schema>, reportId: string): Promise<string[]> {
  const rows = await trx.selectFrom('incident_reports').select('incident_id').where('report_id', '=', reportId).where('unlinked_at', 'is', null).execute();
  return rows.map((row) => row.incident_id);
}
