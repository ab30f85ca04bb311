import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import type { VendorProductsTable } from '../db/schema/vulnerabilities.ts';
import { type Scope, scopeWhere } from '../policy/scope.ts';

export type VendorProductRow = Selectable<VendorProductsTable>;

const scoped = (scope: Scope) => scopeWhere(scope, { organisation: sql.ref('vendor_products.organisation_id') });

export async function listVendorProducts(
  db: Kysely<Schema>,
  scope: Scope,
  filter: { organisationId?: string | undefined; q?: string | undefined; offset: number; limit: number },
): Promise<{ rows: VendorProductRow[]; total: number }> {
  let query = db.selectFrom('vendor_products').where(scoped(scope));
  if (filter.organisationId) query = query.where('organisation_id', '=', filter.organisationId);
  if (filter.q) query = query.where(sql<boolean>`strpos(lower(name), lower(${filter.q})) > 0`);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('name').orderBy('id').offset(filter.offset).limit(filter.limit).execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function findVendorProduct(db: Kysely<Schema>, scope: Scope, id: string): Promise<VendorProductRow | undefined> {
  return db.selectFrom('vendor_products').selectAll().where('id', '=', id).where(scoped(scope)).executeTakeFirst();
}

export async function insertVendorProduct(db: Kysely<Schema>, row: Insertable<VendorProductsTable>): Promise<VendorProductRow | undefined> {
  return db
    .insertInto('vendor_products')
    .values(row)
    .onConflict((oc) => oc.columns(['organisation_id', 'name']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** undefined when another product of the vendor already has the new name. */
export async function updateVendorProduct(db: Kysely<Schema>, id: string, changes: Updateable<VendorProductsTable>): Promise<VendorProductRow | undefined> {
  let query = db.updateTable('vendor_products').set(changes).where('id', '=', id);
  if (typeof changes.name === 'string') {
    query = query.where(sql<boolean>`NOT EXISTS (SELECT 1 FROM vendor_products other
      WHERE other.organisation_id = vendor_products.organisation_id AND other.name = ${changes.name} AND other.id <> ${id}::uuid)`);
  }
  return query.returningAll().executeTakeFirst();
}

export async function deleteVendorProduct(db: Kysely<Schema>, id: string): Promise<void> {
  await db.deleteFrom('vendor_products').where('id', '=', id).execute();
}

/**
 * The registry's version: it changes whenever a product is added, changed or removed (every write moves
 * `updated_at` to now, a removal lowers the count).
 */
export async function registryVersion(db: Kysely<Schema>): Promise<string> {
  const row = await db
    .selectFrom('vendor_products')
    .select((eb) => [eb.fn.countAll<string>().as('n'), sql<string | null>`max(updated_at)::text`.as('latest')])
    .executeTakeFirstOrThrow();
  return `${row.n}:${row.latest ?? '-'}`;
}

export async function allVendorProducts(db: Kysely<Schema>): Promise<VendorProductRow[]> {
  return db.selectFrom('vendor_products').selectAll().orderBy('id').execute();
}

/** What the case and its report say about the affected product, and the vendors already on the case. */
export async function proposalInputOf(db: Kysely<Schema>, caseId: string) {
  const found = await db
    .selectFrom('vulnerability_cases as c')
    .leftJoin('vulnerability_reports as r', 'r.id', 'c.report_id')
    .select(['c.title', 'c.title_ja', 'c.summary', 'r.product_name', 'r.product_version', 'r.developer_name', 'r.vulnerability_type', 'r.description'])
    .where('c.id', '=', caseId)
    .executeTakeFirstOrThrow();
  const vendors = await db
    .selectFrom('case_participants')
    .select('organisation_id')
    .where('case_id', '=', caseId)
    .where('organisation_id', 'is not', null)
    .execute();
  const cwes = await db.selectFrom('case_vulnerabilities').select('cwe_id').where('case_id', '=', caseId).where('cwe_id', 'is not', null).execute();
  return { ...found, onCase: new Set(vendors.map((v) => v.organisation_id!)), cwes: cwes.map((c) => c.cwe_id!) };
}
