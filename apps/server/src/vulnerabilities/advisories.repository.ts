import { type Kysely, type Selectable, type Transaction, sql } from 'kysely';
import type { AdvisoryContent } from '@renkei/contract';
import type { Schema } from '../db/schema/index.ts';
import type { AdvisoryPublicationsTable, AdvisoryRevisionsTable } from '../db/schema/advisories.ts';

export type RevisionRow = Omit<Selectable<AdvisoryRevisionsTable>, 'content'> & { content: AdvisoryContent };
/** A revision with the display names of its author and approver (null: no such user, or not asked for). */
export type NamedRevisionRow = RevisionRow & { author_name: string | null; approver_name: string | null };

/** The revisions with their author's and approver's display names, for the team's list. */
function selectNamedRevisions(db: Kysely<Schema>, caseId: string) {
  return db
    .selectFrom('advisory_revisions as r')
    .leftJoin('users as author', 'author.id', 'r.author_id')
    .leftJoin('users as approver', 'approver.id', 'r.approved_by')
    .selectAll('r')
    .select(['author.display_name as author_name', 'approver.display_name as approver_name'])
    .where('r.case_id', '=', caseId);
}
export type PublicationRow = Omit<Selectable<AdvisoryPublicationsTable>, 'document'> & { document: AdvisoryContent };

/** Every revision of a case's advisory, newest first (with their content and people's names). */
export async function listRevisions(db: Kysely<Schema>, caseId: string): Promise<NamedRevisionRow[]> {
  const rows = await selectNamedRevisions(db, caseId).orderBy('r.number', 'desc').execute();
  return rows as NamedRevisionRow[];
}

/**
 * Adds a revision under the advisory's row lock (made with the first one), numbered after the last:
 * two authors revising at once get consecutive numbers.
 */
export async function insertRevision(
  trx: Transaction<Schema>,
  input: { caseId: string; content: AdvisoryContent; note: string; authorId: string | null; at: Date },
): Promise<RevisionRow> {
  await trx
    .insertInto('advisories')
    .values({ case_id: input.caseId, created_by: input.authorId, created_at: input.at, modified_at: input.at })
    .onConflict((oc) => oc.column('case_id').doUpdateSet({ modified_at: input.at }))
    .execute();
  const last = await trx
    .selectFrom('advisory_revisions')
    .select(sql<number>`coalesce(max(number), 0)::int`.as('n'))
    .where('case_id', '=', input.caseId)
    .executeTakeFirstOrThrow();
  const row = await trx
    .insertInto('advisory_revisions')
    .values({
      case_id: input.caseId,
      number: last.n + 1,
      content: JSON.stringify(input.content),
      note: input.note,
      author_id: input.authorId,
      created_at: input.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return row as RevisionRow;
}

/** One revision of a case's advisory with its content. */
export async function findRevision(db: Kysely<Schema>, caseId: string, number: number): Promise<NamedRevisionRow | undefined> {
  const row = await selectNamedRevisions(db, caseId).where('r.number', '=', number).executeTakeFirst();
  return row as NamedRevisionRow | undefined;
}

/** One revision, locked for a change of state. */
export async function lockRevision(trx: Transaction<Schema>, caseId: string, number: number): Promise<RevisionRow | undefined> {
  const row = await trx.selectFrom('advisory_revisions').selectAll().where('case_id', '=', caseId).where('number', '=', number).forUpdate().executeTakeFirst();
  return row as RevisionRow | undefined;
}

export async function findPublication(db: Kysely<Schema>, caseId: string): Promise<PublicationRow | undefined> {
  const row = await db.selectFrom('advisory_publications').selectAll().where('case_id', '=', caseId).executeTakeFirst();
  return row as PublicationRow | undefined;
}

/** The finder's credit wishes, from the report the case was made of. */
export async function reportCredit(db: Kysely<Schema>, reportId: string | null) {
  if (!reportId) return null;
  const row = await db
    .selectFrom('vulnerability_reports')
    .select(['credit_name', 'credit_organisation', 'credit_anonymous'])
    .where('id', '=', reportId)
    .executeTakeFirst();
  return row ? { name: row.credit_name, organisation: row.credit_organisation, anonymous: row.credit_anonymous } : null;
}

/** The addresses of the participants a case is shared with: an organisation's contact address, or a person's own. */
export async function sharedParticipantAddresses(
  db: Kysely<Schema>,
  caseId: string,
): Promise<{ participantId: string; organisationId: string | null; address: string }[]> {
  const rows = await sql<{ id: string; organisation_id: string | null; address: string | null }>`
    SELECT p.id, p.organisation_id, coalesce(o.contact_email, u.email) AS address
    FROM case_participants p
    LEFT JOIN organisations o ON o.id = p.organisation_id
    LEFT JOIN users u ON u.id = p.user_id AND p.organisation_id IS NULL
    WHERE p.case_id = ${caseId}::uuid AND p.shared_at IS NOT NULL
    ORDER BY p.added_at, p.id`.execute(db);
  return rows.rows.flatMap((r) => (r.address ? [{ participantId: r.id, organisationId: r.organisation_id, address: r.address }] : []));
}
