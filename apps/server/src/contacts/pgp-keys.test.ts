import * as openpgp from 'openpgp';
import { describe, expect, it } from 'vitest';
import { MAX_ARMORED_BYTES, inspectArmoredKeys, keyWarnings } from './pgp-keys.ts';
import { makeKey } from './test-keys.ts';

const DAY = 86_400_000;

async function inspectOne(armored: string) {
  const keys = await inspectArmoredKeys(armored);
  expect(keys).toHaveLength(1);
  const key = keys[0]!;
  return { key, warnings: keyWarnings(key, new Date(), ['csirt@example.jp']) };
}

describe('inspectArmoredKeys', () => {
  it('Should read fingerprint, user IDs, lower-cased addresses, algorithm and no expiry from a healthy key', async () => {
    const made = await makeKey({ email: 'CSIRT@Example.JP', name: 'Example CSIRT' });
    const { key, warnings } = await inspectOne(made.publicArmored);
    expect(key.fingerprint).toBe(made.fingerprint);
    expect(key.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(key.userIds).toEqual(['Example CSIRT <CSIRT@Example.JP>']);
    expect(key.emails).toEqual(['csirt@example.jp']);
    expect(key.algorithm).toBe('eddsaLegacy');
    expect(key.expiresAt).toBeNull();
    expect(key.revokedAt).toBeNull();
    expect(key.armored).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect(warnings).toEqual([]);
  });

  it('Should warn of a key expiring in 10 days', async () => {
    const { key, warnings } = await inspectOne((await makeKey({ email: 'csirt@example.jp', expiresInDays: 10 })).publicArmored);
    expect(key.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 9 * DAY);
    expect(warnings).toEqual(['expires_soon']);
  });

  it('Should mark an expired key expired, still reading its addresses', async () => {
    const { key, warnings } = await inspectOne((await makeKey({ email: 'csirt@example.jp', createdDaysAgo: 40, expiresInDays: -30 })).publicArmored);
    expect(key.expiresAt!.getTime()).toBeLessThan(Date.now());
    expect(key.emails).toEqual(['csirt@example.jp']);
    expect(warnings).toEqual(['expired']);
  });

  it('Should mark a revoked key revoked with the revocation time', async () => {
    const { key, warnings } = await inspectOne((await makeKey({ email: 'csirt@example.jp', revoked: true })).publicArmored);
    expect(key.revokedAt).toBeInstanceOf(Date);
    expect(warnings).toEqual(['revoked']);
  });

  it('Should warn when the key does not carry the address it is attached to', async () => {
    const { warnings } = await inspectOne((await makeKey({ email: 'someone-else@example.org' })).publicArmored);
    expect(warnings).toEqual(['address_mismatch']);
  });

  it('Should warn when a signing-only key cannot encrypt', async () => {
    const { key, warnings } = await inspectOne((await makeKey({ email: 'csirt@example.jp', signOnly: true })).publicArmored);
    expect(key.canEncrypt).toBe(false);
    expect(warnings).toEqual(['cannot_encrypt']);
  });

  it('Should refuse a private key pasted by mistake, whatever its armor label says', async () => {
    const made = await makeKey({ email: 'csirt@example.jp' });
    await expect(inspectArmoredKeys(made.privateArmored)).rejects.toMatchObject({ code: 'private_key_refused' });
    await expect(inspectArmoredKeys(`${made.publicArmored}\n${made.privateArmored}`)).rejects.toMatchObject({ code: 'private_key_refused' });
    // A secret key inside a block labelled PUBLIC: the packets decide, not the label.
    const secret = await openpgp.readPrivateKey({ armoredKey: made.privateArmored });
    const relabelled = openpgp.armor(openpgp.enums.armor.publicKey, secret.write());
    await expect(inspectArmoredKeys(relabelled)).rejects.toMatchObject({ code: 'private_key_refused' });
  });

  it('Should import each key of several pasted blocks and of one block holding two keys, once each', async () => {
    const a = await makeKey({ email: 'a@example.jp' });
    const b = await makeKey({ email: 'b@example.jp' });
    const pasted = await inspectArmoredKeys(`Here are our keys:\n${a.publicArmored}\nand\n${b.publicArmored}\n${a.publicArmored}`);
    expect(pasted.map((k) => k.fingerprint)).toEqual([a.fingerprint, b.fingerprint]);
    const keyA = await openpgp.readKey({ armoredKey: a.publicArmored });
    const keyB = await openpgp.readKey({ armoredKey: b.publicArmored });
    const combined = openpgp.armor(openpgp.enums.armor.publicKey, new Uint8Array([...keyA.write(), ...keyB.write()]));
    expect((await inspectArmoredKeys(combined)).map((k) => k.fingerprint)).toEqual([a.fingerprint, b.fingerprint]);
  });

  it('Should ignore a user ID without a self-signature, which anyone could have appended', async () => {
    const real = await openpgp.readKey({ armoredKey: (await makeKey({ email: 'real@example.jp' })).publicArmored });
    const other = await openpgp.readKey({ armoredKey: (await makeKey({ email: 'victim@example.jp' })).publicArmored });
    const packets = new openpgp.PacketList<openpgp.AnyPacket>();
    for (const packet of real.toPacketList()) packets.push(packet);
    packets.push(other.users[0]!.userID!);
    const forged = new openpgp.PublicKey(packets).armor();
    const { key } = await inspectOne(forged);
    expect(key.emails).toEqual(['real@example.jp']);
  });

  it('Should refuse garbage, empty armor, corrupted armor and huge input with clear codes', async () => {
    await expect(inspectArmoredKeys('hello, this is not a key')).rejects.toMatchObject({ code: 'not_a_public_key' });
    await expect(inspectArmoredKeys('-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n-----END PGP PUBLIC KEY BLOCK-----')).rejects.toMatchObject({
      code: 'key_unreadable',
    });
    const made = await makeKey({ email: 'x@example.jp' });
    const lines = made.publicArmored.split('\n');
    lines[3] = lines[3]!.split('').reverse().join('');
    await expect(inspectArmoredKeys(lines.join('\n'))).rejects.toMatchObject({ code: 'key_unreadable' });
    const binaryJunk = `-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n${Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919) % 256))
      .toString('base64')
      .replace(/(.{64})/g, '$1\n')}\n-----END PGP PUBLIC KEY BLOCK-----`;
    await expect(inspectArmoredKeys(binaryJunk)).rejects.toMatchObject({ code: 'key_unreadable' });
    await expect(inspectArmoredKeys('x'.repeat(MAX_ARMORED_BYTES + 1))).rejects.toMatchObject({ code: 'key_too_large', status: 413 });
    const many = Array.from({ length: 21 }, () => made.publicArmored).join('\n');
    await expect(inspectArmoredKeys(many)).rejects.toMatchObject({ code: 'too_many_keys' });
  });
});
