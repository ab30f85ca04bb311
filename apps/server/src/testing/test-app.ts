import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { type Role, isStaffRole } from '@renkei/contract';
import { loadConfig, type Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { buildApp } from '../app/http-app.ts';
import { systemContext } from '../policy/actor.ts';
import { type Services, createServices } from '../app/services.ts';
import { openTestDatabase } from './test-database.ts';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  roles: Role[];
  /** An API token carrying all the user's roles. */
  token: string;
}

export interface TestApp {
  app: FastifyInstance;
  services: Services;
  database: Database;
  config: Config;
  selfOrganisationId: string;
  /** Creates a user holding the roles (outside roles in a new organisation), with an API token. */
  createUser(roles: Role[], overrides?: { email?: string; password?: string }): Promise<TestUser>;
  /** Sends a request as the user (by API token), or anonymously when user is null. */
  request(user: TestUser | null, options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/**
 * A real app over a fresh database, with the instance's own organisation in place.
 * @example const t = await createTestApp(); const admin = await t.createUser(['admin']);
 */
export async function createTestApp(env: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  const database = await openTestDatabase();
  const config = loadConfig({
    RENKEI_LOG_LEVEL: 'silent',
    RENKEI_DATA_DIR: '/nonexistent-test-data',
    RENKEI_LOGIN_RATE_LIMIT: '1000',
    RENKEI_FORM_RATE_LIMIT: '1000',
    RENKEI_API_SUBMISSIONS_PER_TOKEN: '100000',
    RENKEI_API_SUBMISSIONS_PER_ORGANISATION: '100000',
    ...env,
  });
  const services = createServices(database, config);
  const self = await database.db
    .insertInto('organisations')
    .values({
      name: 'Test CSIRT',
      name_ja: 'テスト CSIRT',
      kind: 'csirt',
      is_self: true,
      contact_email: 'team@test-csirt.example',
      contact_phone: null,
      website: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const app = await buildApp(config, services);
  await app.ready();
  let counter = 0;

  return {
    app,
    services,
    database,
    config,
    selfOrganisationId: self.id,
    async createUser(roles, overrides = {}) {
      counter++;
      const email = overrides.email ?? `user${counter}-${randomBytes(3).toString('hex')}@test.example`;
      const password = overrides.password ?? `pw-${randomBytes(9).toString('base64url')}`;
      let organisationId: string | undefined;
      if (roles.some((role) => !isStaffRole(role))) {
        const org = await database.db
          .insertInto('organisations')
          .values({ name: `Outside org ${counter}`, name_ja: null, kind: 'other', contact_email: null, contact_phone: null, website: null })
          .returning('id')
          .executeTakeFirstOrThrow();
        organisationId = org.id;
      }
      const user = await services.accounts.createUser(systemContext('test'), { email, displayName: `Test user ${counter}`, password, roles, organisationId });
      const { token } = await services.accounts.createToken(systemContext('test'), { name: 'test', roles, expiresInDays: 1, userId: user.id });
      return { id: user.id, email, password, roles, token };
    },
    request(user, options) {
      const headers = { ...(options.headers ?? {}), ...(user ? { authorization: `Bearer ${user.token}` } : {}) };
      return app.inject({ ...options, headers });
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}
