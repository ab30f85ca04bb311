// The people of organisations: role addresses and persons, with their keys and delivery status.
import { type Kysely, sql } from 'kysely';
import type { CreatePersonRequest, UpdatePersonRequest } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { NotFoundError } from '../kernel/errors.ts';
import type { RequestContext } from '../policy/actor.ts';
import { scopeWhere } from '../policy/scope.ts';
import { contactsPolicy } from './contacts.policy.ts';
import { type PersonModel, deliveryStatusOf, loadOrganisation, personRowToModel } from './contacts.repository.ts';
import type { PersonDetailModel } from './organisations.service.ts';
import type { KeyHealth } from './pgp-keys.service.ts';

export function createPeopleService(db: Kysely<Schema>, now: () => Date, keysWithHealth: KeyHealth) {
  return {
    async createPerson(ctx: RequestContext, organisationId: string, input: CreatePersonRequest): Promise<PersonModel> {
      contactsPolicy.authorize(ctx.actor, 'directory.write');
      return db.transaction().execute(async (trx) => {
        await loadOrganisation(trx, organisationId);
        const row = await trx
          .insertInto('people')
          .values({
            organisation_id: organisationId,
            name: input.name,
            name_ja: input.nameJa ?? null,
            role_title: input.roleTitle ?? null,
            email: input.email?.toLowerCase() ?? null,
            phone: input.phone ?? null,
            emergency_phone: input.emergencyPhone ?? null,
            is_role_address: input.isRoleAddress ?? false,
            languages: input.languages ?? [],
            notes: input.notes ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const person = personRowToModel(row);
        await recordAudit(trx, ctx, { action: 'person.create', targetType: 'person', targetId: person.id, after: person });
        return person;
      });
    },

    /** One person with their organisation, the keys attached to them and what DSNs said about their address. */
    async getPerson(ctx: RequestContext, id: string): Promise<PersonDetailModel> {
      const scope = contactsPolicy.detailScope(ctx.actor, 'directory.read', () => new NotFoundError('person_not_found', 'No such person'));
      const row = await db
        .selectFrom('people')
        .selectAll()
        .where('id', '=', id)
        .where(scopeWhere(scope, { organisation: sql.ref('organisation_id') }))
        .executeTakeFirst();
      if (!row) throw new NotFoundError('person_not_found', 'No such person');
      const person = personRowToModel(row);
      const [organisation, keys, deliveryStatus] = await Promise.all([
        loadOrganisation(db, person.organisationId),
        keysWithHealth(db, (q) => q.where('k.person_id', '=', id)),
        deliveryStatusOf(db, person.email ? [person.email] : []),
      ]);
      return { person, organisation, keys, deliveryStatus };
    },

    async updatePerson(ctx: RequestContext, id: string, patch: UpdatePersonRequest): Promise<PersonModel> {
      contactsPolicy.authorize(ctx.actor, 'directory.write');
      return db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('people').selectAll().where('id', '=', id).executeTakeFirst();
        if (!existing) throw new NotFoundError('person_not_found', 'No such person');
        const row = await trx
          .updateTable('people')
          .set({
            ...(patch.name !== undefined ? { name: patch.name } : {}),
            ...(patch.nameJa !== undefined ? { name_ja: patch.nameJa } : {}),
            ...(patch.roleTitle !== undefined ? { role_title: patch.roleTitle } : {}),
            ...(patch.email !== undefined ? { email: patch.email?.toLowerCase() ?? null } : {}),
            ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
            ...(patch.emergencyPhone !== undefined ? { emergency_phone: patch.emergencyPhone } : {}),
            ...(patch.isRoleAddress !== undefined ? { is_role_address: patch.isRoleAddress } : {}),
            ...(patch.languages !== undefined ? { languages: patch.languages } : {}),
            ...(patch.notes !== undefined ? { notes: patch.notes } : {}),
            updated_at: now(),
          })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        const person = personRowToModel(row);
        await recordAudit(trx, ctx, { action: 'person.update', targetType: 'person', targetId: id, before: personRowToModel(existing), after: person });
        return person;
      });
    },

    async deletePerson(ctx: RequestContext, id: string): Promise<void> {
      contactsPolicy.authorize(ctx.actor, 'directory.write');
      await db.transaction().execute(async (trx) => {
        const removed = await trx.deleteFrom('people').where('id', '=', id).returningAll().executeTakeFirst();
        if (!removed) throw new NotFoundError('person_not_found', 'No such person');
        await recordAudit(trx, ctx, { action: 'person.delete', targetType: 'person', targetId: id, before: personRowToModel(removed) });
      });
    },
  };
}
