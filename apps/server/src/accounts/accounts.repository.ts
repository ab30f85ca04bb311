import { findTeamOrganisationRow } from '../contacts/index.ts';
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

/**
 * Counts one failed login (wrong password or wrong second factor) in a single statement, so parallel
 * attempts are each counted; the attempt that reaches `maxFailures` locks the account and resets the count.
 * Answers whether this attempt locked it.
 */
export async function recordFailedLogin(
  db: Kysely<Schema>,
  userId: string,
  policy: { maxFailures: number; lockUntil: Date },
): Promise<{ lockedNow: boolean; failedLogins: number }> {
  const reaches = sql<boolean>`failed_logins + 1 >= ${policy.maxFailures}`;
  const row = await db
    .updateTable('users')
    .set({
      failed_logins: sql<number>`CASE WHEN ${reaches} THEN 0 ELSE failed_logins + 1 END`,
      locked_until: sql<Date | null>`CASE WHEN ${reaches} THEN ${policy.lockUntil}::timestamptz ELSE locked_until END`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', userId)
    .returning(['failed_logins', 'locked_until'])
    .executeTakeFirst();
  // The count comes back 0 from this statement only when this attempt reached the limit and locked.
  return { lockedNow: row?.failed_logins === 0, failedLogins: row?.failed_logins ?? 0 };
}

/**
 * Accepts a login atomically: clears the failure count, and takes the TOTP step when one was used, only
 * if the account is not locked at `now` and no login took this step (or a later one) first. False when
 * another request won the race or the account was locked meanwhile.
 */
export async function claimLogin(db: Kysely<Schema>, userId: string, now: Date, totpStep: number | null): Promise<boolean> {
  let query = db
    .updateTable('users')
    .set({ failed_logins: 0, locked_until: null, updated_at: now, ...(totpStep !== null ? { totp_last_step: totpStep } : {}) })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]));
  if (totpStep !== null) query = query.where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', totpStep)]));
  const row = await query.returning('id').executeTakeFirst();
  return row !== undefined;
}

/** Takes a TOTP step for the account (enable/disable confirmations): false when it or a later one was used already. */
export async function claimTotpStep(db: Kysely<Schema>, userId: string, step: number): Promise<boolean> {
  const row = await db
    .updateTable('users')
    .set({ totp_last_step: step, updated_at: new Date() })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
