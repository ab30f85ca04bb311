import { type Expression, type Kysely, type Selectable, type SqlBool, sql } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import type {
  CaseEmbargoesTable,
  CaseParticipantsTable,
  CaseVulnerabilitiesTable,
  VendorStatusesTable,
  VulnerabilityCasesTable,
} from '../db/schema/vulnerabilities.ts';
import { type Scope, scopeWhere } from '../policy/scope.ts';

export type CaseRow = Selectable<VulnerabilityCasesTable>;
export type CaseVulnerabilityRow = Selectable<CaseVulnerabilitiesTable>;
export type ParticipantRow = Selectable<CaseParticipantsTable>;
export type StatusRow = Selectable<VendorStatusesTable>;
export type EmbargoRow = Selectable<CaseEmbargoesTable>;

/**
 * The case rows an actor may see: staff all; a participant only the cases shared with its organisation or
 * with itself (`shared_at` set). Every read of a case or its rows goes through this.
 */
export function caseScope(scope: Scope, caseId: Expression<string>): Expression<SqlBool> {
  return scopeWhere(scope, {
    participant: ({ userId, organisationIds }) => sql<SqlBool>`EXISTS (
      SELECT 1 FROM case_participants p
      WHERE p.case_id = ${caseId} AND p.shared_at IS NOT NULL
        AND (p.user_id = ${userId}::uuid OR p.organisation_id = ANY(${[...organisationIds]}::uuid[])))`,
  });
}

/**
 * Next number of a counter: `VR`/`VU` per UTC year, public IDs with year 0. Concurrent callers each get
 * their own number (the upsert takes the row lock).
 * @example await nextNumber(trx, 'VU', 2026) // 1, then 2, ...
 */
export async function nextNumber(db: Kysely<Schema>, prefix: string, year: number): Promise<number> {
  const row = await db
    .insertInto('vulnerability_counters')
    .values({ prefix, year, value: 1 })
    .onConflict((oc) => oc.columns(['prefix', 'year']).doUpdateSet((eb) => ({ value: eb('vulnerability_counters.value', '+', 1) })))
    .returning('value')
    .executeTakeFirstOrThrow();
  return row.value;
}

export interface CaseListFilter {
  status?: string | undefined;
  since?: Date | undefined;
  q?: string | undefined;
  offset: number;
  limit: number;
}

export interface CaseListRow extends CaseRow {
  vendor_count: number;
  vulnerability_count: number;
  embargo_until: Date | null;
  /** The viewer's organisation's tracking ID (participants only). */
  tracking_id: string | null;
}

/** A page of the cases the scope allows, most recently modified first, with their counts. */
export async function listCases(db: Kysely<Schema>, scope: Scope, filter: CaseListFilter): Promise<{ rows: CaseListRow[]; total: number }> {
  const organisationIds = scope.kind === 'participant' ? [...scope.organisationIds] : [];
  let base = db.selectFrom('vulnerability_cases as c').where(caseScope(scope, sql.ref('c.id')));
  if (filter.status) base = base.where('c.status', '=', filter.status);
  if (filter.since) base = base.where('c.modified_at', '>', filter.since);
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    base = base.where((eb) => eb.or([eb('c.title', 'ilike', like), eb('c.title_ja', 'ilike', like), eb('c.reference', 'ilike', like)]));
  }
  const [rows, total] = await Promise.all([
    base
      .selectAll('c')
      .select([
        sql<number>`(SELECT count(*)::int FROM case_participants p WHERE p.case_id = c.id AND p.role = 'vendor')`.as('vendor_count'),
        sql<number>`(SELECT count(*)::int FROM case_vulnerabilities v WHERE v.case_id = c.id)`.as('vulnerability_count'),
        sql<Date | null>`(SELECT e.release_at FROM case_embargoes e WHERE e.case_id = c.id AND e.state = 'agreed')`.as('embargo_until'),
        sql<string | null>`(SELECT p.tracking_id FROM case_participants p
          WHERE p.case_id = c.id AND p.organisation_id = ANY(${organisationIds}::uuid[]) LIMIT 1)`.as('tracking_id'),
      ])
      .orderBy('c.modified_at', 'desc')
      .orderBy('c.id', 'desc')
      .offset(filter.offset)
      .limit(filter.limit)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: total.n };
}

/** One case if the scope allows it; undefined for absent and hidden alike. */
export async function findCase(db: Kysely<Schema>, scope: Scope, id: string): Promise<CaseRow | undefined> {
  return db
    .selectFrom('vulnerability_cases as c')
    .selectAll('c')
    .where('c.id', '=', id)
    .where(caseScope(scope, sql.ref('c.id')))
    .executeTakeFirst();
}

/**
 * Everything a case page shows, each kind in one query (fast at 150 vendors and 20 vulnerabilities). The
 * participants come first: from them `statusesOf` names the organisations whose statuses are read (null:
 * every vendor's), so a vendor's request never reads other vendors' rows at all.
 */
export async function caseRows(db: Kysely<Schema>, caseId: string, statusesOf: (participants: ParticipantRow[]) => readonly string[] | null = () => null) {
  const participants = await db.selectFrom('case_participants').selectAll().where('case_id', '=', caseId).orderBy('added_at').orderBy('id').execute();
  const [vulnerabilities, statuses, embargoes, decisions] = await Promise.all([
    db.selectFrom('case_vulnerabilities').selectAll().where('case_id', '=', caseId).orderBy('created_at').orderBy('id').execute(),
    caseStatuses(db, caseId, statusesOf(participants)),
    db.selectFrom('case_embargoes').selectAll().where('case_id', '=', caseId).orderBy('proposed_at').orderBy('id').execute(),
    db
      .selectFrom('case_embargo_decisions as d')
      .innerJoin('case_embargoes as e', 'e.id', 'd.embargo_id')
      .select(['d.embargo_id', 'd.participant_id', 'd.decision', 'd.comment', 'd.decided_at'])
      .where('e.case_id', '=', caseId)
      .execute(),
  ]);
  return { vulnerabilities, participants, statuses, embargoes, decisions };
}

/**
 * A case's status rows (only those of `organisationIds` when given) as one JSON value rather than one
 * result row each: on PGlite every row is a pass through the in-process wire protocol, and the 3,000 rows
 * of a 150-vendor case took about three times as long as rows as in one JSON array (bench/cases.bench.ts).
 */
export async function caseStatuses(db: Kysely<Schema>, caseId: string, organisationIds: readonly string[] | null): Promise<StatusRow[]> {
  const only = organisationIds === null ? sql`` : sql`AND s.organisation_id = ANY(${[...organisationIds]}::uuid[])`;
  const result = await sql<{ rows: (Omit<StatusRow, 'set_at'> & { set_at: string | null })[] }>`
    SELECT coalesce(json_agg(s), '[]'::json) AS rows FROM vendor_statuses s WHERE s.case_id = ${caseId}::uuid ${only}`.execute(db);
  return result.rows[0]!.rows.map((r) => ({ ...r, set_at: r.set_at === null ? null : new Date(r.set_at) }));
}

/** Moves the case's `modified_at` (the change feed) and, when given, its status. */
export async function touchCase(db: Kysely<Schema>, caseId: string, at: Date, status?: string): Promise<void> {
  await db
    .updateTable('vulnerability_cases')
    .set(status ? { modified_at: at, status } : { modified_at: at })
    .where('id', '=', caseId)
    .execute();
}

/** Appends to the case timeline; `organisationId` makes it an event its participant's users may see. */
export async function appendCaseEvent(
  db: Kysely<Schema>,
  event: { caseId: string; kind: string; detail?: unknown; organisationId?: string | null; actorId: string | null; at?: Date },
): Promise<void> {
  await db
    .insertInto('case_events')
    .values({
      case_id: event.caseId,
      kind: event.kind,
      detail: JSON.stringify(event.detail ?? {}),
      organisation_id: event.organisationId ?? null,
      actor_id: event.actorId,
      ...(event.at ? { at: event.at } : {}),
    })
    .execute();
}

export interface StatusWrite {
  vulnerabilityId: string;
  organisationId: string;
  productName: string;
  status: string;
  justification: string | null;
  fixedVersions: string;
  statement: string;
  statementJa: string;
  references: string[];
}

/** Writes many statuses in one statement; returns the rows as they were before (for the history). */
export async function upsertStatuses(db: Kysely<Schema>, caseId: string, rows: readonly StatusWrite[], setBy: string | null, at: Date): Promise<StatusRow[]> {
  if (rows.length === 0) return [];
  const before = await db
    .selectFrom('vendor_statuses')
    .selectAll()
    .where('case_id', '=', caseId)
    .where(
      sql<SqlBool>`(vulnerability_id, organisation_id, product_name) IN (SELECT * FROM unnest(${rows.map((r) => r.vulnerabilityId)}::uuid[],
        ${rows.map((r) => r.organisationId)}::uuid[], ${rows.map((r) => r.productName)}::text[]))`,
    )
    .execute();
  await db
    .insertInto('vendor_statuses')
    .values(
      rows.map((r) => ({
        case_id: caseId,
        vulnerability_id: r.vulnerabilityId,
        organisation_id: r.organisationId,
        product_name: r.productName,
        status: r.status,
        justification: r.justification,
        fixed_versions: r.fixedVersions,
        statement: r.statement,
        statement_ja: r.statementJa,
        references: r.references,
        set_by: setBy,
        set_at: at,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['vulnerability_id', 'organisation_id', 'product_name']).doUpdateSet((eb) => ({
        status: eb.ref('excluded.status'),
        justification: eb.ref('excluded.justification'),
        fixed_versions: eb.ref('excluded.fixed_versions'),
        statement: eb.ref('excluded.statement'),
        statement_ja: eb.ref('excluded.statement_ja'),
        references: eb.ref('excluded.references'),
        set_by: eb.ref('excluded.set_by'),
        set_at: eb.ref('excluded.set_at'),
      })),
    )
    .execute();
  return before;
}

/**
 * Seeds "not yet notified" rows for a vendor on every vulnerability of the case (or every vendor on a new
 * vulnerability), leaving rows that exist alone: silence stays distinguishable from an answer.
 */
export async function seedStatuses(db: Kysely<Schema>, caseId: string, status: string): Promise<void> {
  await sql`
    INSERT INTO vendor_statuses (case_id, vulnerability_id, organisation_id, status)
    SELECT ${caseId}::uuid, v.id, p.organisation_id, ${status}
    FROM case_vulnerabilities v
    JOIN case_participants p ON p.case_id = v.case_id AND p.role = 'vendor'
    WHERE v.case_id = ${caseId}::uuid
    ON CONFLICT DO NOTHING`.execute(db);
}
