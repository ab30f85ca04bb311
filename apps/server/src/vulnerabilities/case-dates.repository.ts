import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema/index.ts';

const firstContact = sql<Date | null>`(SELECT min(p.contact_started_at) FROM case_participants p WHERE p.case_id = c.id AND p.role = 'vendor')`;

/** Cases not yet published or closed, with the first 起算日 of their vendors, oldest first. */
export async function openCaseDates(db: Kysely<Schema>) {
  return db
    .selectFrom('vulnerability_cases as c')
    .select(['c.id', 'c.reference', 'c.title', 'c.status', 'c.target_publication_at', 'c.created_at', firstContact.as('first_contact_at')])
    .where('c.status', 'not in', ['published', 'closed'])
    .orderBy(sql`${firstContact} ASC NULLS LAST`)
    .orderBy('c.created_at')
    .limit(10_000)
    .execute();
}

/** Published cases with a first 起算日: the instants the median is made of. */
export async function publishedCaseDates(db: Kysely<Schema>) {
  return db
    .selectFrom('vulnerability_cases as c')
    .select(['c.published_at', firstContact.as('first_contact_at')])
    .where('c.published_at', 'is not', null)
    .where(sql<boolean>`${firstContact} IS NOT NULL`)
    .execute();
}
