import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import { systemContext } from '../policy/actor.ts';
import type { AccountsService } from './accounts.service.ts';
import { selfOrganisation } from './accounts.repository.ts';

export const DEMO_ADMIN_EMAIL = 'admin@demo-csirt.example';

/**
 * On an empty database, creates the instance's own organisation ("Demo CSIRT") and an admin.
 * Returns the admin's credentials when it created them, null when the database was not empty.
 */
export async function seedDemo(db: Kysely<Schema>, accounts: AccountsService, adminPassword?: string): Promise<{ email: string; password: string } | null> {
  if (await selfOrganisation(db)) return null;
  await db
    .insertInto('organisations')
    .values({
      name: 'Demo CSIRT',
      name_ja: 'デモ CSIRT',
      kind: 'csirt',
      is_self: true,
      contact_email: 'info@demo-csirt.example',
      contact_phone: '+81-3-0000-0000',
      website: null,
    })
    .execute();
  const password = adminPassword ?? randomBytes(12).toString('base64url');
  await accounts.createUser(systemContext('seed'), {
    email: DEMO_ADMIN_EMAIL,
    displayName: 'Demo Administrator',
    password,
    roles: ['admin', 'coordinator', 'analyst', 'publisher'],
  });
  return { email: DEMO_ADMIN_EMAIL, password };
}
