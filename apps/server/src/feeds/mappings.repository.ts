import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import { ALL, type Scope, scopeWhere } from '../policy/scope.ts';
import type { MappingRow } from './feeds.repository.ts';

/** Saved column mappings for generic CSV feeds (`feed_mappings`). */

export async function findMapping(db: Kysely<Schema>, name: string, scope: Scope = ALL): Promise<MappingRow | undefined> {
  return db.selectFrom('feed_mappings').selectAll().where('name', '=', name).where(scopeWhere(scope)).executeTakeFirst();
}

export async function listMappingRows(db: Kysely<Schema>, scope: Scope): Promise<MappingRow[]> {
  return db.selectFrom('feed_mappings').selectAll().where(scopeWhere(scope)).orderBy('name').execute();
}

/** The mapping of that name, locked for the rest of the transaction. */
export async function lockMapping(trx: Kysely<Schema>, name: string): Promise<MappingRow | undefined> {
  return trx.selectFrom('feed_mappings').selectAll().where('name', '=', name).forUpdate().executeTakeFirst();
}

export interface MappingValues {
  name: string;
  /** JSON text of { column: event field }. */
  columns: string;
  taxonomy: string;
  type: string;
  tlp: string;
}

export async function insertMapping(trx: Kysely<Schema>, values: MappingValues): Promise<MappingRow> {
  return trx.insertInto('feed_mappings').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateMapping(trx: Kysely<Schema>, id: string, values: MappingValues): Promise<MappingRow> {
  return trx
    .updateTable('feed_mappings')
    .set({ ...values, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteMappingRow(trx: Kysely<Schema>, id: string): Promise<void> {
  await trx.deleteFrom('feed_mappings').where('id', '=', id).execute();
}

export async function mappingIdByName(db: Kysely<Schema>, name: string): Promise<string | null> {
  const row = await db.selectFrom('feed_mappings').select('id').where('name', '=', name).executeTakeFirst();
  return row ? row.id : null;
}
