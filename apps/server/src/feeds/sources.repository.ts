import { type Kysely, sql } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import { type Scope, scopeWhere } from '../policy/scope.ts';
import type { SourceRow } from './feeds.repository.ts';

/** URL sources fetched on a schedule (`feed_sources`). */

export interface SourceToFetch {
  id: string;
  name: string;
  url: string;
  format: string;
  reportType: string | null;
  tlp: string;
  enabled: boolean;
  mappingName: string | null;
}

export async function findSourceToFetch(db: Kysely<Schema>, id: string): Promise<SourceToFetch | undefined> {
  const row = await db
    .selectFrom('feed_sources as s')
    .leftJoin('feed_mappings as m', 'm.id', 's.mapping_id')
    .select(['s.id', 's.name', 's.url', 's.format', 's.report_type', 's.tlp', 's.enabled', 'm.name as mapping_name'])
    .where('s.id', '=', id)
    .executeTakeFirst();
  return row
    ? {
        id: row.id,
        name: row.name,
        url: row.url,
        format: row.format,
        reportType: row.report_type,
        tlp: row.tlp,
        enabled: row.enabled,
        mappingName: row.mapping_name,
      }
    : undefined;
}

export async function markSourceFetched(db: Kysely<Schema>, id: string, status: string): Promise<void> {
  await db.updateTable('feed_sources').set({ last_fetched_at: new Date(), last_status: status }).where('id', '=', id).execute();
}

/** Enabled sources whose interval has passed since their last fetch at `now`. */
export async function dueSourceIds(db: Kysely<Schema>, now: Date): Promise<string[]> {
  const rows = await db
    .selectFrom('feed_sources')
    .select('id')
    .where('enabled', '=', true)
    .where((eb) =>
      eb.or([eb('last_fetched_at', 'is', null), eb('last_fetched_at', '<=', sql<Date>`${now}::timestamptz - make_interval(mins => interval_minutes)`)]),
    )
    .execute();
  return rows.map((r) => r.id);
}

export async function listSourceRows(db: Kysely<Schema>, scope: Scope): Promise<SourceRow[]> {
  return db.selectFrom('feed_sources').selectAll().where(scopeWhere(scope)).orderBy('name').execute();
}

export async function findSource(db: Kysely<Schema>, id: string): Promise<SourceRow | undefined> {
  return db.selectFrom('feed_sources').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function sourceNameTaken(db: Kysely<Schema>, name: string): Promise<boolean> {
  return (await db.selectFrom('feed_sources').select('id').where('name', '=', name).executeTakeFirst()) !== undefined;
}

/** The name of a source using the mapping, if any. */
export async function sourceUsingMapping(db: Kysely<Schema>, mappingId: string): Promise<string | null> {
  const row = await db.selectFrom('feed_sources').select('name').where('mapping_id', '=', mappingId).executeTakeFirst();
  return row ? row.name : null;
}

export async function insertSource(
  trx: Kysely<Schema>,
  values: { name: string; url: string; format: string; mappingId: string | null; reportType: string | null; tlp: string; intervalMinutes: number },
): Promise<SourceRow> {
  return trx
    .insertInto('feed_sources')
    .values({
      name: values.name,
      url: values.url,
      format: values.format,
      mapping_id: values.mappingId,
      report_type: values.reportType,
      tlp: values.tlp,
      interval_minutes: values.intervalMinutes,
      last_fetched_at: null,
      last_status: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteSourceRow(trx: Kysely<Schema>, id: string): Promise<void> {
  await trx.deleteFrom('feed_sources').where('id', '=', id).execute();
}
