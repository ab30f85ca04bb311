import type { Insertable, Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import type { CaseContactAttemptsTable } from '../db/schema/vulnerabilities.ts';

export type ContactAttemptRow = Selectable<CaseContactAttemptsTable>;

export async function insertContactAttempt(db: Kysely<Schema>, row: Insertable<CaseContactAttemptsTable>): Promise<ContactAttemptRow> {
  return db.insertInto('case_contact_attempts').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function contactAttemptsOf(db: Kysely<Schema>, caseId: string, organisationId: string): Promise<ContactAttemptRow[]> {
  return db
    .selectFrom('case_contact_attempts')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('organisation_id', '=', organisationId)
    .orderBy('attempted_at')
    .orderBy('id')
    .execute();
}

/** Declares the vendor unreachable on the case: its participant row and every status row of it. */
export async function markUnreachable(db: Kysely<Schema>, participant: { id: string; case_id: string; organisation_id: string }, at: Date): Promise<void> {
  await db.updateTable('case_participants').set({ unreachable_at: at }).where('id', '=', participant.id).execute();
  await db
    .updateTable('vendor_statuses')
    .set({ status: 'unreachable', justification: null })
    .where('case_id', '=', participant.case_id)
    .where('organisation_id', '=', participant.organisation_id)
    .execute();
}

export async function upsertAnnouncement(
  db: Kysely<Schema>,
  row: { participantId: string; caseId: string; organisationId: string; announcedAt: Date; publishableFrom: Date; announcedBy: string | null },
): Promise<void> {
  const values = {
    participant_id: row.participantId,
    case_id: row.caseId,
    organisation_id: row.organisationId,
    announced_at: row.announcedAt,
    publishable_from: row.publishableFrom,
    announced_by: row.announcedBy,
  };
  await db
    .insertInto('unreachable_announcements')
    .values(values)
    .onConflict((oc) =>
      oc.column('participant_id').doUpdateSet({ announced_at: row.announcedAt, publishable_from: row.publishableFrom, announced_by: row.announcedBy }),
    )
    .execute();
}

/** Every vendor declared unreachable, with its case, first contact, attempts and announcement, latest first. */
export async function unreachableDevelopers(db: Kysely<Schema>) {
  return db
    .selectFrom('case_participants as p')
    .innerJoin('vulnerability_cases as c', 'c.id', 'p.case_id')
    .leftJoin('unreachable_announcements as a', 'a.participant_id', 'p.id')
    .select([
      'p.id as participant_id',
      'p.case_id',
      'p.organisation_id',
      'p.contact_started_at',
      'p.unreachable_at',
      'c.reference',
      'a.announced_at',
      'a.publishable_from',
      sql<string>`(SELECT count(*) FROM case_contact_attempts x WHERE x.case_id = p.case_id AND x.organisation_id = p.organisation_id)`.as('attempts'),
    ])
    .where('p.role', '=', 'vendor')
    .where('p.unreachable_at', 'is not', null)
    .orderBy('p.unreachable_at', 'desc')
    .orderBy('p.id')
    .execute();
}
