// PGP keys of organisations and people: health checks, import, listing and deletion.
import { type Kysely, sql } from 'kysely';
import * as openpgp from 'openpgp';
import type { ImportKeysRequest, KeyWarning } from '@renkei/contract';
import { recordAudit } from '../audit/index.ts';
import type { Schema } from '../db/schema/index.ts';
import type { Logger } from '../kernel/logger.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../kernel/errors.ts';
import type { RequestContext } from '../policy/actor.ts';
import { scopeWhere } from '../policy/scope.ts';
import { contactsPolicy } from './contacts.policy.ts';
import { type PgpKeyModel, PUBLIC_KEY_COLUMNS, keyRowToModel, loadOrganisation } from './contacts.repository.ts';
import { type InspectedKey, inspectArmoredKeys, keyWarnings } from './pgp-keys.ts';

/**
 * The mail domain's job that re-verifies stored signatures naming the given key IDs. Named, not
 * imported: the directory does not depend on mail, it only asks for the job.
 */
export const RECHECK_SIGNATURES_JOB = 'mail.recheck-signatures';

export type KeyView = PgpKeyModel & { warnings: KeyWarning[] };

export type KeyHealth = ReturnType<typeof createKeyHealth>;

/** Keys with their health; remembers per key whether it can encrypt. */
export function createKeyHealth(now: () => Date) {
  const encryptCapability = new Map<string, boolean>();

  async function canEncrypt(key: PgpKeyModel): Promise<boolean> {
    const cacheKey = `${key.fingerprint}:${key.armored.length}`;
    const cached = encryptCapability.get(cacheKey);
    if (cached !== undefined) return cached;
    let result = false;
    try {
      const parsed = await openpgp.readKey({ armoredKey: key.armored });
      await parsed.getEncryptionKey();
      result = true;
    } catch {
      result = false;
    }
    if (encryptCapability.size > 10_000) encryptCapability.clear();
    encryptCapability.set(cacheKey, result);
    return result;
  }

  /** Keys with their health, judged against the address each is attached to. */
  async function keysWithHealth(executor: Kysely<Schema>, filter: (query: ReturnType<typeof keyQuery>) => ReturnType<typeof keyQuery>): Promise<KeyView[]> {
    const rows = await filter(keyQuery(executor)).orderBy('k.imported_at', 'desc').execute();
    const at = now();
    const views: KeyView[] = [];
    for (const row of rows) {
      const model = keyRowToModel(row);
      const attached = row.person_email ?? row.organisation_email;
      views.push({ ...model, warnings: keyWarnings({ ...model, canEncrypt: await canEncrypt(model) }, at, attached ? [attached] : []) });
    }
    return views;
  }

  function keyQuery(executor: Kysely<Schema>) {
    return executor
      .selectFrom('pgp_keys as k')
      .leftJoin('people as p', 'p.id', 'k.person_id')
      .leftJoin('organisations as o', 'o.id', 'k.organisation_id')
      .select(PUBLIC_KEY_COLUMNS.map((column) => `k.${column}` as const))
      .select(['p.email as person_email', 'o.contact_email as organisation_email']);
  }

  return keysWithHealth;
}

export function createPgpKeysService(
  db: Kysely<Schema>,
  options: { now: () => Date; jobs?: Pick<JobQueue, 'enqueue'> | null | undefined; log: Pick<Logger, 'warn'> },
  keysWithHealth: KeyHealth,
) {
  const now = options.now;
  return {
    /**
     * Imports armored public keys (each key of a multi-key paste), attached to an organisation or a person.
     * A key already held is refreshed (new expiry, user IDs, revocation); a revocation is never undone.
     */
    async importKeys(ctx: RequestContext, input: ImportKeysRequest): Promise<{ keys: KeyView[]; created: number; updated: number }> {
      contactsPolicy.authorize(ctx.actor, 'keys.import');
      const inspected = await inspectArmoredKeys(input.armored);
      let created = 0;
      let updated = 0;
      const fingerprints = await db.transaction().execute(async (trx) => {
        let organisationId = input.organisationId ?? null;
        const personId = input.personId ?? null;
        if (personId) {
          const person = await trx.selectFrom('people').select(['organisation_id']).where('id', '=', personId).executeTakeFirst();
          if (!person) throw new NotFoundError('person_not_found', 'No such person');
          if (organisationId && organisationId !== person.organisation_id)
            throw new BadRequestError('person_not_in_organisation', 'The person belongs to another organisation');
          organisationId = person.organisation_id;
        } else if (organisationId) {
          await loadOrganisation(trx, organisationId);
        }
        for (const key of inspected) {
          const existing = await trx.selectFrom('pgp_keys').select(PUBLIC_KEY_COLUMNS).where('fingerprint', '=', key.fingerprint).executeTakeFirst();
          if (existing?.is_instance_key) throw new ConflictError('instance_key', `${key.fingerprint} is this instance's own key`);
          const values = {
            ...keyColumns(key),
            revoked_at: existing?.revoked_at ?? key.revokedAt,
            organisation_id: organisationId ?? existing?.organisation_id ?? null,
            person_id: personId ?? existing?.person_id ?? null,
          };
          if (existing) {
            await trx
              .updateTable('pgp_keys')
              .set({ ...values, updated_at: now() })
              .where('id', '=', existing.id)
              .execute();
            await recordAudit(trx, ctx, {
              action: 'pgp_key.update',
              targetType: 'pgp_key',
              targetId: existing.id,
              before: keySummary(keyRowToModel(existing)),
              after: { ...keySummary(key), organisationId: values.organisation_id, personId: values.person_id },
            });
            updated++;
          } else {
            const row = await trx.insertInto('pgp_keys').values(values).returning('id').executeTakeFirstOrThrow();
            await recordAudit(trx, ctx, {
              action: 'pgp_key.import',
              targetType: 'pgp_key',
              targetId: row.id,
              after: { ...keySummary(key), organisationId: values.organisation_id, personId: values.person_id },
            });
            created++;
          }
        }
        return inspected.map((key) => key.fingerprint);
      });
      // After the commit: mail that arrived before its key (unknown_key), or whose key changed (revoked), is judged again.
      // Best effort: should the enqueue fail, the re-check schedule (every 15 min) still picks up unknown_key messages.
      if (options.jobs) {
        await options.jobs.enqueue(RECHECK_SIGNATURES_JOB, { keyIds: [...new Set(inspected.flatMap((key) => key.keyIds))] }).catch((error: unknown) => {
          options.log.warn({ err: error }, 'could not ask for a signature re-check');
        });
      }
      const keys = await keysWithHealth(db, (q) => q.where('k.fingerprint', 'in', fingerprints));
      return { keys, created, updated };
    },

    /** Keys, optionally of one organisation, or only those with a warning (the health view). */
    async listKeys(ctx: RequestContext, filter: { organisationId?: string | undefined; unhealthy?: boolean | undefined; limit?: number }): Promise<KeyView[]> {
      const scope = contactsPolicy.listScope(ctx.actor, 'directory.read');
      const keys = await keysWithHealth(db, (q) => {
        let query = q.where('k.is_instance_key', '=', false).where(scopeWhere(scope, { organisation: sql.ref('k.organisation_id') }));
        if (filter.organisationId) query = query.where('k.organisation_id', '=', filter.organisationId);
        return query.limit(filter.limit ?? 1000);
      });
      return filter.unhealthy ? keys.filter((key) => key.warnings.length > 0) : keys;
    },

    async getKey(ctx: RequestContext, id: string): Promise<KeyView> {
      const scope = contactsPolicy.detailScope(ctx.actor, 'directory.read', () => new NotFoundError('key_not_found', 'No such key'));
      const [key] = await keysWithHealth(db, (q) => q.where('k.id', '=', id).where(scopeWhere(scope, { organisation: sql.ref('k.organisation_id') })));
      if (!key) throw new NotFoundError('key_not_found', 'No such key');
      return key;
    },

    async deleteKey(ctx: RequestContext, id: string): Promise<void> {
      contactsPolicy.authorize(ctx.actor, 'directory.write');
      await db.transaction().execute(async (trx) => {
        const existing = await trx.selectFrom('pgp_keys').select(PUBLIC_KEY_COLUMNS).where('id', '=', id).executeTakeFirst();
        if (!existing) throw new NotFoundError('key_not_found', 'No such key');
        if (existing.is_instance_key) throw new ConflictError('instance_key', 'The instance key is replaced, not deleted');
        await trx.deleteFrom('pgp_keys').where('id', '=', id).execute();
        await recordAudit(trx, ctx, { action: 'pgp_key.delete', targetType: 'pgp_key', targetId: id, before: keySummary(keyRowToModel(existing)) });
      });
    },
  };
}

export function keyColumns(key: InspectedKey) {
  return {
    fingerprint: key.fingerprint,
    armored: key.armored,
    user_ids: key.userIds,
    emails: key.emails,
    algorithm: key.algorithm,
    bits: key.bits,
    created_at_key: key.createdAt,
    expires_at: key.expiresAt,
    revoked_at: key.revokedAt,
  };
}

/** What the audit log keeps of a key: never the key material. */
function keySummary(key: { fingerprint: string; userIds: string[]; expiresAt: Date | null; revokedAt: Date | null }) {
  return { fingerprint: key.fingerprint, userIds: key.userIds, expiresAt: key.expiresAt, revokedAt: key.revokedAt };
}
