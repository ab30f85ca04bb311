import * as openpgp from 'openpgp';
import type { KeyWarning } from '@renkei/contract';
import { BadRequestError, PayloadTooLargeError } from '../kernel/errors.ts';

/** Largest armored input accepted for one import. A real public key with a few photos stays far below. */
export const MAX_ARMORED_BYTES = 256 * 1024;
/** Most keys one import may carry. */
export const MAX_KEYS_PER_IMPORT = 20;
/** A key expiring within this many days gets the `expires_soon` warning. */
export const EXPIRY_WARNING_DAYS = 30;

const PUBLIC_BLOCK = /-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/g;
const SECRET_HEADER = /-----BEGIN PGP (PRIVATE|SECRET) KEY BLOCK-----/;

/** What we keep of an OpenPGP public key: all of it comes from the key itself. */
export interface InspectedKey {
  fingerprint: string;
  /** Key IDs of the primary key and every subkey (16 upper-case hex digits): what a signature names. */
  keyIds: string[];
  /** The public key alone, re-armored by us (anything else in the paste is dropped). */
  armored: string;
  /** Only user IDs carrying a valid self-signature: anyone can append an unsigned one. */
  userIds: string[];
  emails: string[];
  algorithm: string;
  bits: number | null;
  createdAt: Date;
  /** NULL = never expires. */
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** False when no subkey (or primary) can encrypt now, e.g. a signing-only key. */
  canEncrypt: boolean;
}

/**
 * Reads one or more ASCII-armored public keys (several blocks pasted one after another, or one block
 * holding several keys). Refuses the whole input, storing nothing, when any part is a private key.
 * `text` is untrusted input.
 * @example const [key] = await inspectArmoredKeys(armored); key.fingerprint // 'D62CE46B…'
 */
export async function inspectArmoredKeys(text: string): Promise<InspectedKey[]> {
  if (Buffer.byteLength(text, 'utf8') > MAX_ARMORED_BYTES)
    throw new PayloadTooLargeError('key_too_large', `The key text is larger than ${MAX_ARMORED_BYTES / 1024} KiB`);
  if (SECRET_HEADER.test(text)) throw privateKeyRefused();
  const blocks = text.match(PUBLIC_BLOCK) ?? [];
  if (blocks.length === 0)
    throw new BadRequestError(
      'not_a_public_key',
      'No "-----BEGIN PGP PUBLIC KEY BLOCK-----" block was found: paste the ASCII-armored public key (gpg --armor --export ADDRESS)',
    );
  if (blocks.length > MAX_KEYS_PER_IMPORT) throw new BadRequestError('too_many_keys', `At most ${MAX_KEYS_PER_IMPORT} keys per import`);
  const keys: openpgp.Key[] = [];
  for (const [index, block] of blocks.entries()) {
    let read: openpgp.Key[];
    try {
      read = await openpgp.readKeys({ armoredKeys: block });
    } catch (error) {
      throw new BadRequestError(
        'key_unreadable',
        `Key block ${index + 1} is not a readable OpenPGP key: ${error instanceof Error ? error.message.slice(0, 200) : 'unknown error'}`,
      );
    }
    keys.push(...read);
    if (keys.length > MAX_KEYS_PER_IMPORT) throw new BadRequestError('too_many_keys', `At most ${MAX_KEYS_PER_IMPORT} keys per import`);
  }
  // A secret key can hide inside a block labelled public; refuse it just the same.
  if (keys.some((key) => key.isPrivate())) throw privateKeyRefused();
  const seen = new Set<string>();
  const inspected: InspectedKey[] = [];
  for (const key of keys) {
    const result = await inspectKey(key);
    if (seen.has(result.fingerprint)) continue;
    seen.add(result.fingerprint);
    inspected.push(result);
  }
  return inspected;
}

function privateKeyRefused(): BadRequestError {
  return new BadRequestError(
    'private_key_refused',
    'This is a PRIVATE key: it was not stored. Paste only the public key (gpg --armor --export ADDRESS), and consider the private key exposed if it was sent to anyone.',
  );
}

async function inspectKey(key: openpgp.Key): Promise<InspectedKey> {
  const userIds: string[] = [];
  const emails = new Set<string>();
  for (const user of key.users) {
    if (!user.userID) continue; // a user attribute (photo)
    try {
      await user.verify();
    } catch {
      continue;
    }
    userIds.push(user.userID.userID);
    const email = user.userID.email.trim().toLowerCase();
    if (email) emails.add(email);
  }
  const info = key.getAlgorithmInfo();
  let expiresAt: Date | null = null;
  try {
    const expiry = await key.getExpirationTime();
    expiresAt = expiry instanceof Date ? expiry : null;
  } catch {
    expiresAt = null;
  }
  let revokedAt: Date | null = null;
  if (await key.isRevoked().catch(() => false))
    revokedAt = key.revocationSignatures.map((signature) => signature.created).find((created): created is Date => created instanceof Date) ?? new Date();
  let canEncrypt = true;
  try {
    await key.getEncryptionKey();
  } catch {
    canEncrypt = false;
  }
  return {
    fingerprint: key.getFingerprint().toUpperCase(),
    keyIds: key.getKeyIDs().map((id) => id.toHex().toUpperCase()),
    armored: key.toPublic().armor(),
    userIds,
    emails: [...emails],
    algorithm: info.algorithm,
    bits: 'bits' in info && typeof info.bits === 'number' ? info.bits : null,
    createdAt: key.getCreationTime(),
    expiresAt,
    revokedAt,
    canEncrypt,
  };
}

/**
 * What is wrong with a key today, for the address it is used for (when given).
 * @example keyWarnings({ expiresAt, revokedAt: null, emails: ['a@x.jp'], canEncrypt: true }, new Date(), ['b@x.jp']) // ['address_mismatch']
 */
export function keyWarnings(
  key: { expiresAt: Date | null; revokedAt: Date | null; emails: readonly string[]; canEncrypt: boolean },
  now: Date,
  attachedAddresses: readonly string[] = [],
): KeyWarning[] {
  const warnings: KeyWarning[] = [];
  if (key.revokedAt) warnings.push('revoked');
  if (key.expiresAt && key.expiresAt <= now) warnings.push('expired');
  else if (key.expiresAt && key.expiresAt.getTime() - now.getTime() < EXPIRY_WARNING_DAYS * 86_400_000) warnings.push('expires_soon');
  const wanted = attachedAddresses.map((address) => address.toLowerCase());
  if (wanted.length > 0 && !wanted.some((address) => key.emails.includes(address))) warnings.push('address_mismatch');
  if (!key.canEncrypt && !key.revokedAt && !(key.expiresAt && key.expiresAt <= now)) warnings.push('cannot_encrypt');
  return warnings;
}
