import type { Kysely, Selectable } from 'kysely';
import type { CaseMailsTable } from '../db/schema/case-mails.ts';
import type { Schema } from '../db/schema/index.ts';

/** The SQL of the team's mail to a case's vendors (`case_mails`) and of the vendors' replies filed as case messages. */

export type CaseMailRow = Selectable<CaseMailsTable>;

export async function insertCaseMail(
  trx: Kysely<Schema>,
  row: Omit<CaseMailRow, 'id' | 'sent_at' | 'bounce_recorded_at'> & { sent_at: Date },
): Promise<string> {
  const inserted = await trx.insertInto('case_mails').values(row).returning('id').executeTakeFirstOrThrow();
  return inserted.id;
}

/** A case's mails to vendors, newest first (at most 1,000). */
export async function caseMailsOf(db: Kysely<Schema>, caseId: string): Promise<CaseMailRow[]> {
  return db.selectFrom('case_mails').selectAll().where('case_id', '=', caseId).orderBy('sent_at', 'desc').orderBy('id', 'desc').limit(1_000).execute();
}

/** The mails to one participant whose bounce is not yet on record. */
export async function unbouncedMailsOf(db: Kysely<Schema>, participantId: string): Promise<CaseMailRow[]> {
  return db.selectFrom('case_mails').selectAll().where('participant_id', '=', participantId).where('bounce_recorded_at', 'is', null).execute();
}

/** Marks a mail's bounce recorded; false when another run did it first. */
export async function markBounceRecorded(trx: Kysely<Schema>, id: string, at: Date): Promise<boolean> {
  const result = await trx
    .updateTable('case_mails')
    .set({ bounce_recorded_at: at })
    .where('id', '=', id)
    .where('bounce_recorded_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The case message already filed from this inbound mail, if any. */
export async function caseMessageOfMail(db: Kysely<Schema>, mailMessageId: string): Promise<{ id: string; case_id: string } | undefined> {
  return db.selectFrom('case_messages').select(['id', 'case_id']).where('mail_message_id', '=', mailMessageId).executeTakeFirst();
}

export async function findCaseByReference(db: Kysely<Schema>, reference: string): Promise<{ id: string; reference: string } | undefined> {
  return db.selectFrom('vulnerability_cases').select(['id', 'reference']).where('reference', '=', reference).executeTakeFirst();
}

/** The vendor participants of a case. */
export async function vendorParticipantsOf(db: Kysely<Schema>, caseId: string) {
  return db
    .selectFrom('case_participants')
    .select(['id', 'organisation_id', 'shared_at'])
    .where('case_id', '=', caseId)
    .where('role', '=', 'vendor')
    .where('organisation_id', 'is not', null)
    .execute();
}
