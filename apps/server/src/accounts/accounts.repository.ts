import { findTeamOrganisationRow } from '../contacts/team-identity.service.ts';
import { type Kysely, type Selectable, sql } from 'kysely';
import { type Role, isRole } from '@renkei/contract';
import type { Schema } from '../db/schema/index.ts';
import type { UsersTable } from '../db/schema/users.ts';
import type { MembershipRef } from '../policy/actor.ts';

export type UserRow = Selectable<UsersTable>;

export interface User {
  id: string;
  email: string;
  displayName: string;
  locale: 'en' | 'ja';
  timeZone: string;
  totpEnabled: boolean;
  disabled: boolean;
  memberships: MembershipRef[];
  createdAt: Date;
}

export function userRowToUser(row: UserRow, memberships: MembershipRef[]): User {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    locale: row.locale === 'ja' ? 'ja' : 'en',
    timeZone: row.time_zone,
    totpEnabled: row.totp_enabled_at !== null,
    disabled: row.disabled_at !== null,
    memberships,
    createdAt: row.created_at,
  };
}

export async function findUserByEmail(db: Kysely<Schema>, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
}

export async function findUserById(db: Kysely<Schema>, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function membershipsOf(db: Kysely<Schema>, userIds: readonly string[]): Promise<Map<string, MembershipRef[]>> {
  const byUser = new Map<string, MembershipRef[]>();
  if (userIds.length === 0) return byUser;
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('organisations', 'organisations.id', 'memberships.organisation_id')
    .select(['memberships.user_id', 'memberships.organisation_id', 'organisations.name', 'memberships.role'])
    .where('memberships.user_id', 'in', userIds)
    .orderBy('organisations.name')
    .execute();
  for (const row of rows) {
    if (!isRole(row.role)) continue;
    const list = byUser.get(row.user_id) ?? [];
    list.push({ organisationId: row.organisation_id, organisationName: row.name, role: row.role });
    byUser.set(row.user_id, list);
  }
  return byUser;
}

export function rolesOf(memberships: readonly MembershipRef[]): Set<Role> {
  return new Set(memberships.map((m) => m.role));
}

/** The instance's own organisation row (asked of the directory's team identity). */
export async function selfOrganisation(db: Kysely<Schema>) {
  return findTeamOrganisationRow(db);
}

/** Deletes sessions past their expiry; returns how many went. */
export async function deleteExpiredSessions(db: Kysely<Schema>): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where('expires_at', '<', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
