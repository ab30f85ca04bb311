import * as openpgp from 'openpgp';
import { ServiceUnavailableError } from '../kernel/errors.ts';

export interface GeneratedInstanceKey {
  publicArmored: string;
  /** Encrypted with the passphrase when one was given; otherwise in the clear (see ARCHITECTURE.md). */
  privateArmored: string;
}

/**
 * Makes the instance's own key: an Ed25519 primary key for signing with a Curve25519 subkey for
 * encryption, in the v4 "legacy" EdDSA/ECDH form that GnuPG 2.2 and later read.
 * @example const key = await generateInstanceKey({ name: 'Example CSIRT', email: 'csirt@example.jp', passphrase: null });
 */
export async function generateInstanceKey(options: {
  name: string;
  email: string | null;
  passphrase: string | null;
  date?: Date;
}): Promise<GeneratedInstanceKey> {
  const userID = options.email ? { name: options.name, email: options.email } : { name: options.name };
  const { publicKey, privateKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs: [userID],
    format: 'armored',
    ...(options.passphrase ? { passphrase: options.passphrase } : {}),
    ...(options.date ? { date: options.date } : {}),
  });
  return { publicArmored: publicKey, privateArmored: privateKey };
}

/**
 * Reads the stored private key, decrypting it with the passphrase when it is protected.
 * @example const key = await unlockInstanceKey(row.private_armored, config.pgpPassphrase);
 */
export async function unlockInstanceKey(privateArmored: string, passphrase: string | null): Promise<openpgp.PrivateKey> {
  const key = await openpgp.readPrivateKey({ armoredKey: privateArmored });
  if (key.isDecrypted()) return key;
  if (!passphrase)
    throw new ServiceUnavailableError(
      'instance_key_locked',
      'The instance key is passphrase-protected: set RENKEI_PGP_PASSPHRASE to the passphrase it was made with',
    );
  try {
    return await openpgp.decryptKey({ privateKey: key, passphrase });
  } catch {
    throw new ServiceUnavailableError('instance_key_locked', 'RENKEI_PGP_PASSPHRASE does not unlock the instance key');
  }
}

/**
 * Wraps text in an OpenPGP cleartext signature (RFC 9580 §7), as security.txt and RFC 2350 documents are published.
 * @example const signed = await signCleartext('Contact: mailto:csirt@example.jp\n', key);
 */
export async function signCleartext(text: string, signingKey: openpgp.PrivateKey): Promise<string> {
  const message = await openpgp.createCleartextMessage({ text });
  return openpgp.sign({ message, signingKeys: signingKey, format: 'armored' });
}
