import type { Kysely } from 'kysely';
import { recordAudit } from '../audit/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { ConflictError } from '../kernel/errors.ts';
import type { RequestContext } from '../policy/actor.ts';
import { selfOrganisation } from './accounts.repository.ts';

export interface TeamFields {
  name: string;
  nameJa?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  website?: string | undefined;
}

/**
 * Creates the organisation that runs this instance (staff roles are memberships of it). For an
 * instance started without the demo seed; refuses when one exists already.
 * @example await initTeam(db, systemContext('cli'), { name: 'Example CERT', email: 'cert@example.org' });
 */
export async function initTeam(db: Kysely<Schema>, ctx: RequestContext, fields: TeamFields): Promise<string> {
  const existing = await selfOrganisation(db);
  if (existing) throw new ConflictError('team_exists', `This instance already belongs to "${existing.name}"`);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('organisations')
      .values({
        name: fields.name,
        name_ja: fields.nameJa ?? null,
        kind: 'csirt',
        is_self: true,
        contact_email: fields.email ?? null,
        contact_phone: fields.phone ?? null,
        website: fields.website ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, ctx, { action: 'organisation.create', targetType: 'organisation', targetId: row.id, after: { ...fields, isSelf: true } });
    return row.id;
  });
}
