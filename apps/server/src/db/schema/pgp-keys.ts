import type { ColumnType, Generated } from 'kysely';

export interface PgpKeysTable {
  id: Generated<string>;
  /** The organisation the key reaches; NULL = the instance's own key or a loose key. */
  organisation_id: string | null;
  /** The person (or role address) the key belongs to; NULL = the organisation's key. */
  person_id: string | null;
  /** Upper-case hex of the primary key: 40 characters for v4, 64 for v6. Unique. */
  fingerprint: string;
  /** The public key as imported (ASCII armor); never holds secret material. */
  armored: string;
  /** User IDs as written in the key, e.g. "CSIRT <csirt@example.org>". */
  user_ids: string[];
  /** Lower-cased addresses taken from the user IDs; read with `emails @> ARRAY[$1]`. */
  emails: string[];
  /** e.g. rsaEncryptSign, eddsaLegacy, ed25519. */
  algorithm: string;
  /** RSA/DSA modulus size; NULL for elliptic-curve keys. */
  bits: number | null;
  /** The key's own creation time. */
  created_at_key: Date;
  /** NULL = never expires. */
  expires_at: Date | null;
  /** When the key was revoked (its revocation signature's time); NULL = not revoked. */
  revoked_at: Date | null;
  /** TRUE for the instance's own signing and decryption key (at most one unrevoked). */
  is_instance_key: Generated<boolean>;
  /** Instance key only: its secret key, armored, passphrase-protected when RENKEI_PGP_PASSPHRASE is set. Never returned by any API. */
  private_armored: string | null;
  imported_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}
