import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TLP_LEVELS, mayReceive } from '@renkei/contract';
import type { Database } from '../db/database.ts';
import { openTestDatabase } from '../testing/test-database.ts';
import { tlpAtMost, tlpOfRank, tlpRankSql } from './tlp.ts';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});

describe('TLP in SQL', () => {
  it('Should agree with mayReceive for every pair of level and ceiling', async () => {
    const levels = sql.join(TLP_LEVELS.map((level) => sql`(${level}::text)`));
    for (const ceiling of TLP_LEVELS) {
      const { rows } = await sql<{ level: string; passes: boolean }>`
        SELECT v.level, ${tlpAtMost(sql.ref('v.level'), ceiling)} AS passes FROM (VALUES ${levels}) AS v(level)`.execute(database.db);
      expect(rows).toHaveLength(TLP_LEVELS.length);
      for (const row of rows) expect(row.passes, `${row.level} to a ${ceiling} ceiling`).toBe(mayReceive(row.level as (typeof TLP_LEVELS)[number], ceiling));
    }
  });

  it('Should rank the stored levels 0 to 4 and let an unknown or NULL value pass no ceiling', async () => {
    const { rows } = await sql<{ level: string | null; rank: number | null; passes: boolean | null }>`
      SELECT v.level, ${tlpRankSql(sql.ref('v.level'))} AS rank, ${tlpAtMost(sql.ref('v.level'), 'red')} AS passes
      FROM (VALUES ('clear'), ('green'), ('amber'), ('amber+strict'), ('red'), ('white'), ('AMBER'), (NULL)) AS v(level)`.execute(database.db);
    expect(rows.map((r) => r.rank)).toEqual([0, 1, 2, 3, 4, null, null, null]);
    expect(rows.map((r) => r.passes === true)).toEqual([true, true, true, true, true, false, false, false]);
    expect(rows.map((r) => tlpOfRank(r.rank))).toEqual([...TLP_LEVELS, null, null, null]);
  });

  it('Should filter rows in a Kysely query to those at or below the ceiling', async () => {
    const { rows } = await sql<{ level: string }>`
      SELECT v.level FROM (VALUES ('red'), ('green'), ('amber+strict'), ('clear'), ('amber')) AS v(level)
      WHERE ${tlpAtMost(sql.ref('v.level'), 'amber')} ORDER BY ${tlpRankSql(sql.ref('v.level'))}`.execute(database.db);
    expect(rows.map((r) => r.level)).toEqual(['clear', 'green', 'amber']);
  });
});
