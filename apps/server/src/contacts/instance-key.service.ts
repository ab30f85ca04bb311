// The instance's own PGP key and the documents signed with it (security.txt, RFC 2350).
import { findTeamOrganisationRow } from './team-identity.service.ts';
import type { Kysely } from 'kysely';
import * as openpgp from 'openpgp';
import { recordAudit } from '../audit/index.ts';
import type { Schema } from '../db/schema/index.ts';
import { NotFoundError } from '../kernel/errors.ts';
import { type RequestContext, systemContext } from '../policy/actor.ts';
import { contactsPolicy } from './contacts.policy.ts';
import { type OrganisationModel, organisationRowToModel } from './contacts.repository.ts';
import { generateInstanceKey, signCleartext, unlockInstanceKey } from './instance-key.ts';
import { inspectArmoredKeys } from './pgp-keys.ts';
import { keyColumns } from './pgp-keys.service.ts';
import { buildRfc2350, buildSecurityTxt } from './well-known.ts';

export function createInstanceKeyService(db: Kysely<Schema>, options: { publicUrl: string; pgpPassphrase: string | null; now: () => Date }) {
  const now = options.now;
  let unlocked: { fingerprint: string; key: openpgp.PrivateKey } | null = null;

  async function instanceKeyRow(executor: Kysely<Schema> = db) {
    return executor.selectFrom('pgp_keys').selectAll().where('is_instance_key', '=', true).where('revoked_at', 'is', null).executeTakeFirst();
  }

  async function selfTeam(): Promise<OrganisationModel | null> {
    const row = await findTeamOrganisationRow(db);
    return row ? organisationRowToModel(row) : null;
  }

  async function createInstanceKey(ctx: RequestContext, replace: boolean) {
    const team = await selfTeam();
    const generated = await generateInstanceKey({
      name: team?.name ?? 'Renkei',
      email: team?.contactEmail ?? null,
      passphrase: options.pgpPassphrase,
      date: now(),
    });
    const [inspected] = await inspectArmoredKeys(generated.publicArmored);
    if (!inspected) throw new Error('The generated key could not be read back');
    return db.transaction().execute(async (trx) => {
      const current = await instanceKeyRow(trx);
      if (current && !replace) return { created: false, fingerprint: current.fingerprint };
      if (current) {
        // Retire the old key with a real revocation certificate, so partners holding it learn it is replaced.
        let revokedArmored = current.armored;
        if (current.private_armored) {
          const privateKey = await unlockInstanceKey(current.private_armored, options.pgpPassphrase);
          const revoked = await openpgp.revokeKey({
            key: privateKey,
            reasonForRevocation: { flag: openpgp.enums.reasonForRevocation.keySuperseded, string: `Superseded by ${inspected.fingerprint}` },
            format: 'armored',
          });
          revokedArmored = revoked.publicKey;
        }
        await trx
          .updateTable('pgp_keys')
          .set({ revoked_at: now(), armored: revokedArmored, private_armored: null, updated_at: now() })
          .where('id', '=', current.id)
          .execute();
        await recordAudit(trx, ctx, {
          action: 'instance_key.revoke',
          targetType: 'pgp_key',
          targetId: current.id,
          after: { fingerprint: current.fingerprint },
        });
      }
      const row = await trx
        .insertInto('pgp_keys')
        .values({ ...keyColumns(inspected), is_instance_key: true, private_armored: generated.privateArmored, organisation_id: team?.id ?? null })
        .onConflict((conflict) => conflict.column('is_instance_key').where('is_instance_key', '=', true).where('revoked_at', 'is', null).doNothing())
        .returning(['id', 'fingerprint'])
        .executeTakeFirst();
      if (!row) {
        const other = await instanceKeyRow(trx);
        return { created: false, fingerprint: other!.fingerprint };
      }
      await recordAudit(trx, ctx, {
        action: 'instance_key.generate',
        targetType: 'pgp_key',
        targetId: row.id,
        after: { fingerprint: row.fingerprint, protected: options.pgpPassphrase !== null },
      });
      unlocked = null;
      return { created: true, fingerprint: row.fingerprint };
    });
  }

  async function signingKey(): Promise<{ key: openpgp.PrivateKey; fingerprint: string; userIds: string[] }> {
    let row = await instanceKeyRow();
    if (!row) {
      await createInstanceKey(systemContext('instance key (first use)'), false);
      row = await instanceKeyRow();
    }
    if (!row?.private_armored) throw new Error('The instance key has no private part');
    if (unlocked?.fingerprint !== row.fingerprint)
      unlocked = { fingerprint: row.fingerprint, key: await unlockInstanceKey(row.private_armored, options.pgpPassphrase) };
    return { key: unlocked.key, fingerprint: row.fingerprint, userIds: row.user_ids };
  }

  return {
    /**
     * The start-up step: makes the instance key when there is none, so mail can be signed from the
     * first start. Idempotent: two servers starting at once make one key between them (the partial
     * unique index `pgp_keys_one_instance_key`; the loser's generated key is dropped).
     * @example const key = await contacts.ensureInstanceKey(); if (key.created) log.info(key, 'made the instance key');
     */
    async ensureInstanceKey(): Promise<{ created: boolean; fingerprint: string; protected: boolean }> {
      const existing = await instanceKeyRow();
      const result = existing ? { created: false, fingerprint: existing.fingerprint } : await createInstanceKey(systemContext('first start'), false);
      const row = existing ?? (await instanceKeyRow());
      const isProtected = row?.private_armored ? !(await openpgp.readPrivateKey({ armoredKey: row.private_armored })).isDecrypted() : false;
      return { ...result, protected: isProtected };
    },

    /** The instance key's fingerprint for public pages (no key parsing); null before one is made. */
    async instanceKeyFingerprint(): Promise<string | null> {
      const row = await db.selectFrom('pgp_keys').select('fingerprint').where('is_instance_key', '=', true).where('revoked_at', 'is', null).executeTakeFirst();
      return row?.fingerprint ?? null;
    },

    /** Makes the instance key if there is none (or replaces it, revoking the old one, when `replace`). */
    async generateInstanceKey(ctx: RequestContext, replace = false): Promise<{ created: boolean; fingerprint: string }> {
      contactsPolicy.authorize(ctx.actor, 'instanceKey.manage');
      return createInstanceKey(ctx, replace);
    },

    /** The instance's public key with whether its private part is protected, for staff. */
    async instanceKey(ctx: RequestContext) {
      contactsPolicy.authorize(ctx.actor, 'directory.read');
      const key = await this.instancePublicKey();
      if (!key)
        throw new NotFoundError('instance_key_missing', 'No instance key yet: it is made on first use, or with `renkei contacts instance-key generate`');
      return key;
    },

    /** The instance's public key, as anyone may fetch it; null before one is made. */
    async instancePublicKey(): Promise<{ fingerprint: string; armored: string; userIds: string[]; createdAt: Date; protected: boolean } | null> {
      const row = await instanceKeyRow();
      if (!row) return null;
      const isProtected = row.private_armored ? !(await openpgp.readPrivateKey({ armoredKey: row.private_armored })).isDecrypted() : false;
      return { fingerprint: row.fingerprint, armored: row.armored, userIds: row.user_ids, createdAt: row.created_at_key, protected: isProtected };
    },

    /** The signed `/.well-known/security.txt`; makes the instance key on first use. Null when there is no own team yet. */
    async securityTxt(): Promise<string | null> {
      const team = await selfTeam();
      if (!team) return null;
      const signer = await signingKey();
      return signCleartext(buildSecurityTxt({ team, key: signer, publicUrl: options.publicUrl, now: now() }), signer.key);
    },

    /** The team's RFC 2350 description in one language, signed. */
    async rfc2350(locale: 'en' | 'ja'): Promise<string | null> {
      const team = await selfTeam();
      if (!team) return null;
      const signer = await signingKey();
      return signCleartext(buildRfc2350({ team, key: signer, publicUrl: options.publicUrl, locale, signed: true }), signer.key);
    },

    /** Signs text with the instance key (for mail and published documents). */
    async signCleartext(text: string): Promise<string> {
      return signCleartext(text, (await signingKey()).key);
    },
  };
}
