import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema/index.ts';

/** An organisation as other domains show it beside their own rows. */
export interface OrganisationRef {
  id: string;
  name: string;
  nameJa: string | null;
  kind: string;
  languages: string[];
  contactEmail: string | null;
}

/**
 * Reads of the directory that other domains make for rows they already hold the ids of (names beside a
 * case's vendors, say). No policy check: the caller decided the actor may see those rows.
 */
export function createDirectoryReads(db: Kysely<Schema>) {
  return {
    /** The organisations with these ids, by id; unknown ids are absent. One query however many. */
    async organisationsByIds(ids: readonly string[]): Promise<Map<string, OrganisationRef>> {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return new Map();
      const rows = await db
        .selectFrom('organisations')
        .select(['id', 'name', 'name_ja', 'kind', 'languages', 'contact_email'])
        .where('id', 'in', unique)
        .execute();
      return new Map(
        rows.map((r) => [r.id, { id: r.id, name: r.name, nameJa: r.name_ja, kind: r.kind, languages: r.languages, contactEmail: r.contact_email }]),
      );
    },

    /**
     * The organisations an address belongs to: their contact address, or a person's or role address of
     * theirs (compared without case). Untrusted input: a mail's From, say.
     */
    async organisationIdsOfAddress(address: string): Promise<string[]> {
      const wanted = address.trim().toLowerCase();
      if (wanted === '' || wanted.length > 320) return [];
      const rows = await db
        .selectFrom('organisations')
        .select('id')
        .where((eb) =>
          eb.or([
            eb(eb.fn('lower', ['contact_email']), '=', wanted),
            eb('id', 'in', eb.selectFrom('people').select('organisation_id').where('email', '=', wanted)),
          ]),
        )
        .execute();
      return rows.map((r) => r.id);
    },
  };
}
