import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { systemContext } from '../policy/actor.ts';
import { openTestDatabase } from '../testing/test-database.ts';
import { initTeam } from './team.ts';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

describe('team init', () => {
  it('Should create the instance own team once, audited, and refuse a second', async () => {
    const id = await initTeam(database.db, systemContext('cli'), { name: 'Example CERT', nameJa: '例 CERT', email: 'cert@example.org' });
    const row = await database.db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ is_self: true, kind: 'csirt', name_ja: '例 CERT' });
    const audit = await database.db.selectFrom('audit_log').selectAll().where('target_id', '=', id).execute();
    expect(audit.map((entry) => entry.action)).toEqual(['organisation.create']);
    await expect(initTeam(database.db, systemContext('cli'), { name: 'Another' })).rejects.toMatchObject({ code: 'team_exists', status: 409 });
  });
});
