import type { Kysely, Selectable } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import type { OrganisationsTable } from '../db/schema/organisations.ts';

/** Who this instance is: its own organisation in the directory (the one row with `is_self`). */
export interface TeamIdentity {
  /** NULL = the directory has no own organisation yet (a fresh install before seeding). */
  organisationId: string | null;
  /** The team's name; "Renkei" until the directory names it. */
  name: string;
  nameJa: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  website: string | null;
  languages: string[];
  country: string | null;
}

/** The own organisation's row; the only query for `is_self` outside seeding and the directory's own lists. */
export async function findTeamOrganisationRow(db: Kysely<Schema>): Promise<Selectable<OrganisationsTable> | undefined> {
  return db.selectFrom('organisations').selectAll().where('is_self', '=', true).executeTakeFirst();
}

/**
 * The team's own identity, for mail senders, notifications, keys and public pages.
 * @example const team = await createTeamIdentityService(db).teamIdentity(); team.name // 'Test CSIRT'
 */
export function createTeamIdentityService(db: Kysely<Schema>) {
  return {
    async teamIdentity(): Promise<TeamIdentity> {
      const row = await findTeamOrganisationRow(db);
      return {
        organisationId: row?.id ?? null,
        name: row?.name ?? 'Renkei',
        nameJa: row?.name_ja ?? null,
        contactEmail: row?.contact_email ?? null,
        contactPhone: row?.contact_phone ?? null,
        website: row?.website ?? null,
        languages: row?.languages ?? [],
        country: row?.country ?? null,
      };
    },
  };
}
