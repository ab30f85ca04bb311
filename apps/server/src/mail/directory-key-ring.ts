import { type Kysely, sql } from 'kysely';
import * as openpgp from 'openpgp';
import type { Schema } from '../db/schema/index.ts';
import { isTlpLevel } from '@renkei/contract';
import type { DirectoryKey, KeyRing, PgpPolicy } from './pgp.ts';

/**
 * The key ring over the contacts directory's tables (`pgp_keys`, `people`, `organisations.pgp_policy`).
 * Read-only: the directory owns the keys; mail only looks them up.
 * @example const keyRing = directoryKeyRing(db, { passphrase: process.env.RENKEI_PGP_PASSPHRASE ?? null });
 */
export function directoryKeyRing(db: Kysely<Schema>, options: { passphrase: string | null }): KeyRing {
  const columns = ['fingerprint', 'armored', 'expires_at', 'revoked_at'] as const;
  const toKey = (row: { fingerprint: string; armored: string; expires_at: Date | null; revoked_at: Date | null }): DirectoryKey => ({
    fingerprint: row.fingerprint,
    armored: row.armored,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  });
  let cachedInstance: { armored: string; key: openpgp.PrivateKey } | null = null;

  return {
    async signingCandidates(keyIds, address) {
      // A v4 key ID is the fingerprint's last 16 hex digits; a subkey's ID is found through the address.
      const ids = keyIds.map((id) => id.toUpperCase()).filter((id) => /^[0-9A-F]{16}$/.test(id));
      const rows = await db
        .selectFrom('pgp_keys')
        .select(columns)
        .where((eb) => {
          const any = [eb(sql<string>`right(fingerprint, 16)`, 'in', ids.length > 0 ? ids : ['-'])];
          if (address) any.push(eb(sql<boolean>`emails @> ARRAY[${address.toLowerCase()}]::text[]`, '=', true));
          return eb.or(any);
        })
        .orderBy('imported_at', 'desc')
        .limit(50)
        .execute();
      return rows.map(toKey);
    },

    async recipient(address) {
      const lower = address.toLowerCase();
      const keys = await db
        .selectFrom('pgp_keys')
        .select(columns)
        .where((eb) =>
          eb.or([
            eb(sql<boolean>`emails @> ARRAY[${lower}]::text[]`, '=', true),
            eb('person_id', 'in', eb.selectFrom('people').select('id').where('email', '=', lower)),
          ]),
        )
        .where('is_instance_key', '=', false)
        .execute();
      const org = await db
        .selectFrom('organisations')
        .select(['pgp_policy', 'tlp_ceiling'])
        .where((eb) => eb.or([eb('id', 'in', eb.selectFrom('people').select('organisation_id').where('email', '=', lower)), eb('contact_email', '=', lower)]))
        .executeTakeFirst();
      const policy: PgpPolicy = org?.pgp_policy === 'required' || org?.pgp_policy === 'never' ? org.pgp_policy : 'preferred';
      const person = await db.selectFrom('people').select('languages').where('email', '=', lower).executeTakeFirst();
      const first = person?.languages.find((code) => code === 'ja' || code === 'en');
      const tlpCeiling = isTlpLevel(org?.tlp_ceiling) ? org.tlp_ceiling : null;
      return { policy, keys: keys.map(toKey), language: first === 'ja' || first === 'en' ? first : null, tlpCeiling };
    },

    async instanceKey() {
      const row = await db
        .selectFrom('pgp_keys')
        .select(['private_armored'])
        .where('is_instance_key', '=', true)
        .where('revoked_at', 'is', null)
        .where('private_armored', 'is not', null)
        .executeTakeFirst();
      if (!row?.private_armored) return null;
      if (cachedInstance?.armored === row.private_armored) return cachedInstance.key;
      let key = await openpgp.readPrivateKey({ armoredKey: row.private_armored });
      if (!key.isDecrypted()) {
        if (!options.passphrase) throw new Error('The instance PGP key is passphrase-protected: set RENKEI_PGP_PASSPHRASE');
        key = await openpgp.decryptKey({ privateKey: key, passphrase: options.passphrase });
      }
      cachedInstance = { armored: row.private_armored, key };
      return key;
    },
  };
}
