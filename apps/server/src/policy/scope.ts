import { type Expression, type SqlBool, sql } from 'kysely';

/**
 * Which rows of a kind an actor may see, as a value: the policy gives it (`policy.listScope`,
 * `policy.detailScope`), the repository turns it into a where-clause with `scopeWhere`.
 * - all: staff (or the system) see every row;
 * - organisations: rows owned by one of the actor's organisations (its memberships);
 * - participant: rows of cases the actor's user or organisations take part in (a membership table);
 * - public: published rows only (anyone, also anonymous callers);
 * - none: no row.
 */
export type Scope =
  | { readonly kind: 'all' }
  | { readonly kind: 'organisations'; readonly organisationIds: readonly string[] }
  | { readonly kind: 'participant'; readonly userId: string; readonly organisationIds: readonly string[] }
  | { readonly kind: 'public' }
  | { readonly kind: 'none' };

export const ALL: Scope = { kind: 'all' };
export const NOTHING: Scope = { kind: 'none' };

/**
 * How a table says who may see a row. A kind of scope whose way is not given matches no row, so a
 * table that declares nothing is visible to staff only, whatever a policy says.
 */
export interface ScopeColumns {
  /** The organisation that owns the row (for `organisations`). */
  organisation?: Expression<string | null>;
  /** Rows of cases the actor takes part in: usually an EXISTS over the case's membership table (for `participant`). */
  participant?: (actor: { userId: string; organisationIds: readonly string[] }) => Expression<SqlBool>;
  /** Published rows (for `public`). */
  published?: Expression<SqlBool>;
}

/**
 * The where-clause of a scope over one table: `query.where(scopeWhere(scope, { organisation: sql.ref('r.organisation_id') }))`.
 * `all` is TRUE and `none` is FALSE, so every query can carry it.
 * @example db.selectFrom('reports as r').selectAll().where(scopeWhere(scope, { organisation: sql.ref('r.organisation_id') }))
 */
export function scopeWhere(scope: Scope, columns: ScopeColumns = {}): Expression<SqlBool> {
  switch (scope.kind) {
    case 'all':
      return sql<SqlBool>`TRUE`;
    case 'none':
      return sql<SqlBool>`FALSE`;
    case 'organisations':
      // IN () is not SQL; no organisation sees nothing.
      if (!columns.organisation || scope.organisationIds.length === 0) return sql<SqlBool>`FALSE`;
      return sql<SqlBool>`(${columns.organisation} = ANY(${[...scope.organisationIds]}::uuid[]))`;
    case 'participant':
      return columns.participant ? columns.participant({ userId: scope.userId, organisationIds: scope.organisationIds }) : sql<SqlBool>`FALSE`;
    case 'public':
      return columns.published ?? sql<SqlBool>`FALSE`;
  }
}

/** True when the scope can match no row at all, so a read may stop before it queries. @example isEmptyScope(NOTHING) // true */
export function isEmptyScope(scope: Scope): boolean {
  return scope.kind === 'none' || (scope.kind === 'organisations' && scope.organisationIds.length === 0);
}
