import { randomUUID } from 'node:crypto';
import { type SqlBool, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '@renkei/contract';
import type { Database } from '../db/database.ts';
import { NotFoundError } from '../kernel/errors.ts';
import { openTestDatabase } from '../testing/test-database.ts';
import { ANONYMOUS, type UserActor } from './actor.ts';
import { definePolicy, visibleTo } from './define-policy.ts';
import { NOTHING, type Scope, scopeWhere } from './scope.ts';

const orgA = randomUUID();
const orgB = randomUUID();

function user(roles: Role[], organisationIds: string[] = []): UserActor {
  return {
    kind: 'user',
    userId: randomUUID(),
    email: 'someone@test.example',
    roles: new Set(roles),
    memberships: organisationIds.flatMap((organisationId) => roles.map((role) => ({ organisationId, organisationName: 'Org', role }))),
    via: 'token',
    tokenId: null,
  };
}

const policy = definePolicy('cases', {
  'cases.read': visibleTo({ all: ['admin', 'analyst'], organisation: ['vendor_user'], participant: ['partner'], public: true }),
  'notes.read': visibleTo({ all: ['admin'] }),
  'cases.write': ['admin'],
});

describe('definePolicy scopes', () => {
  it('Should give the first scope that applies to the actor, in the order all, organisation, participant, public', () => {
    expect(policy.scope({ kind: 'system', label: 'cli' }, 'cases.read')).toEqual({ kind: 'all' });
    expect(policy.scope(user(['analyst', 'vendor_user'], [orgA]), 'cases.read')).toEqual({ kind: 'all' });
    expect(policy.scope(user(['vendor_user'], [orgA, orgB]), 'cases.read')).toEqual({ kind: 'organisations', organisationIds: [orgA, orgB] });
    const partner = user(['partner'], [orgB]);
    expect(policy.scope(partner, 'cases.read')).toEqual({ kind: 'participant', userId: partner.userId, organisationIds: [orgB] });
    expect(policy.scope(user(['subscriber'], [orgA]), 'cases.read')).toEqual({ kind: 'public' });
    expect(policy.scope(ANONYMOUS, 'cases.read')).toEqual({ kind: 'public' });
    expect(policy.scope(user(['analyst']), 'notes.read')).toEqual(NOTHING);
    expect(policy.scope(ANONYMOUS, 'notes.read')).toEqual(NOTHING);
    // A plain role list scopes as all-or-nothing.
    expect(policy.scope(user(['admin']), 'cases.write')).toEqual({ kind: 'all' });
    expect(policy.scope(user(['analyst']), 'cases.write')).toEqual(NOTHING);
  });

  it('Should refuse a list with 403 (401 when anonymous) when the role sees none of the kind', () => {
    expect(() => policy.listScope(user(['analyst']), 'notes.read')).toThrow(expect.objectContaining({ status: 403, code: 'forbidden' }));
    expect(() => policy.listScope(ANONYMOUS, 'notes.read')).toThrow(expect.objectContaining({ status: 401 }));
    expect(policy.listScope(user(['admin']), 'notes.read')).toEqual({ kind: 'all' });
    // An outside role with no organisation may still list: it sees no rows.
    expect(policy.listScope(user(['vendor_user']), 'cases.read')).toEqual({ kind: 'organisations', organisationIds: [] });
  });

  it('Should answer a hidden detail with the domain’s own not-found error, never a 403', () => {
    const notFound = () => new NotFoundError('note_not_found', 'No such note');
    expect(() => policy.detailScope(user(['vendor_user'], [orgA]), 'notes.read', notFound)).toThrow(
      expect.objectContaining({ status: 404, code: 'note_not_found', message: 'No such note' }),
    );
    expect(() => policy.detailScope(user(['vendor_user']), 'cases.read', notFound)).toThrow(expect.objectContaining({ status: 404, code: 'note_not_found' }));
    expect(() => policy.detailScope(ANONYMOUS, 'notes.read', notFound)).toThrow(expect.objectContaining({ status: 401 }));
    expect(policy.detailScope(user(['admin']), 'notes.read', notFound)).toEqual({ kind: 'all' });
  });

  it('Should let authorize and can follow the visibility', () => {
    expect(policy.can(user(['vendor_user'], [orgA]), 'cases.read')).toBe(true);
    expect(policy.can(user(['vendor_user'], [orgA]), 'notes.read')).toBe(false);
    expect(() => policy.authorize(user(['reporter']), 'notes.read')).toThrow(expect.objectContaining({ status: 403 }));
  });
});

describe('scopeWhere', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  // Four rows: A's published, A's draft, B's draft, and one of nobody's published; A's draft has a participant.
  const participantUser = randomUUID();
  async function visible(scope: Scope): Promise<string[]> {
    const { rows } = await sql<{ name: string }>`
      WITH items(name, organisation_id, published) AS (VALUES
        ('a-published', ${orgA}::uuid, true), ('a-draft', ${orgA}::uuid, false), ('b-draft', ${orgB}::uuid, false), ('nobody', NULL::uuid, true)),
      members(item, user_id, organisation_id) AS (VALUES ('a-draft', ${participantUser}::uuid, NULL::uuid), ('b-draft', NULL::uuid, ${orgB}::uuid))
      SELECT name FROM items WHERE ${scopeWhere(scope, {
        organisation: sql.ref('organisation_id'),
        published: sql<SqlBool>`published`,
        participant: (actor) =>
          sql<SqlBool>`EXISTS (SELECT 1 FROM members m WHERE m.item = items.name AND (m.user_id = ${actor.userId}::uuid OR m.organisation_id = ANY(${[...actor.organisationIds]}::uuid[])))`,
      })} ORDER BY name`.execute(database.db);
    return rows.map((r) => r.name);
  }

  it('Should keep exactly the rows each kind of scope allows', async () => {
    expect(await visible({ kind: 'all' })).toEqual(['a-draft', 'a-published', 'b-draft', 'nobody']);
    expect(await visible(NOTHING)).toEqual([]);
    expect(await visible({ kind: 'organisations', organisationIds: [orgA] })).toEqual(['a-draft', 'a-published']);
    expect(await visible({ kind: 'organisations', organisationIds: [orgA, orgB] })).toEqual(['a-draft', 'a-published', 'b-draft']);
    expect(await visible({ kind: 'organisations', organisationIds: [] })).toEqual([]);
    expect(await visible({ kind: 'participant', userId: participantUser, organisationIds: [] })).toEqual(['a-draft']);
    expect(await visible({ kind: 'participant', userId: randomUUID(), organisationIds: [orgB] })).toEqual(['b-draft']);
    expect(await visible({ kind: 'public' })).toEqual(['a-published', 'nobody']);
  });

  it('Should match no row for a kind of scope the table does not declare', async () => {
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM (VALUES (1), (2)) AS v(x) WHERE ${scopeWhere({ kind: 'organisations', organisationIds: [orgA] })}`.execute(database.db);
    expect(rows[0]!.n).toBe(0);
    for (const scope of [{ kind: 'public' }, { kind: 'participant', userId: orgA, organisationIds: [orgA] }] as const) {
      const result = await sql<{ n: number }>`SELECT count(*)::int AS n FROM (VALUES (1)) AS v(x) WHERE ${scopeWhere(scope)}`.execute(database.db);
      expect(result.rows[0]!.n).toBe(0);
    }
  });
});
