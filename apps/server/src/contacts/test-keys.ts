import * as openpgp from 'openpgp';

const DAY = 86_400_000;

/** Keys made on the spot for tests: nothing checked in, every case built the way a real key would be. */
export async function makeKey(options: {
  email: string;
  name?: string;
  expiresInDays?: number;
  createdDaysAgo?: number;
  revoked?: boolean;
  signOnly?: boolean;
}): Promise<{ publicArmored: string; privateArmored: string; fingerprint: string }> {
  const date = new Date(Date.now() - (options.createdDaysAgo ?? 0) * DAY);
  const generated = await openpgp.generateKey({
    type: 'ecc',
    curve: 'ed25519Legacy',
    userIDs: [{ name: options.name ?? 'Test', email: options.email }],
    date,
    format: 'armored',
    ...(options.signOnly ? { subkeys: [] } : {}),
    ...(options.expiresInDays !== undefined ? { keyExpirationTime: Math.round(((options.createdDaysAgo ?? 0) + options.expiresInDays) * 86_400) } : {}),
  });
  let publicArmored = generated.publicKey;
  if (options.revoked) {
    const revoked = await openpgp.revokeKey({ key: await openpgp.readPrivateKey({ armoredKey: generated.privateKey }), format: 'armored' });
    publicArmored = revoked.publicKey;
  }
  const fingerprint = (await openpgp.readKey({ armoredKey: publicArmored })).getFingerprint().toUpperCase();
  return { publicArmored, privateArmored: generated.privateKey, fingerprint };
}
