import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import { TLP_LEVELS, type TlpLevel, tlpRank } from '@renkei/contract';

/**
 * The SQL form of the TLP rule in `@renkei/contract` (`mayReceive`), for queries that must keep rows at or
 * below a recipient's ceiling. Levels are stored as text (`clear` … `red`); a value that is not a TLP level
 * ranks NULL, so it never passes a ceiling.
 */

/**
 * The rank (0 = CLEAR … 4 = RED) of a stored TLP column, as SQL; NULL for NULL or an unknown value.
 * @example db.selectFrom('feed_events').select(tlpRankSql(sql.ref('tlp')).as('rank'))
 */
export function tlpRankSql(level: Expression<string | null>): RawBuilder<number | null> {
  const cases = TLP_LEVELS.map((name) => sql`WHEN ${sql.lit(name)} THEN ${sql.lit(tlpRank(name))}`);
  return sql<number | null>`(CASE ${level} ${sql.join(cases, sql` `)} END)`;
}

/**
 * `mayReceive(column, ceiling)` as a condition: true when the row's level is not above the ceiling.
 * @example db.selectFrom('feed_events').selectAll().where(tlpAtMost(sql.ref('tlp'), 'amber'))
 */
export function tlpAtMost(level: Expression<string | null>, ceiling: TlpLevel): RawBuilder<SqlBool> {
  return sql<SqlBool>`(${tlpRankSql(level)} <= ${sql.lit(tlpRank(ceiling))})`;
}

/**
 * The level of a rank computed in SQL (e.g. `max(rank)` over the rows sent); null for null.
 * @example tlpOfRank(row.top) // 'amber'
 */
export function tlpOfRank(rank: number | null): TlpLevel | null {
  return rank === null ? null : (TLP_LEVELS[rank] ?? null);
}
