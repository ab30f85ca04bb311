import * as openpgp from 'openpgp';
import type { TlpLevel } from '@renkei/contract';
import { headerValue, parseContentType, splitEntity, splitMultipart, toCrlf } from './mime-raw.ts';

/**
 * OpenPGP for mail: verify and decrypt what arrives (PGP/MIME, RFC 3156, and inline), sign and
 * encrypt what leaves. Keys come from a KeyRing (the directory in production, plain keys in tests).
 */

export const PGP_STATUSES = ['unsigned', 'good', 'bad', 'unknown_key', 'expired_key', 'revoked_key'] as const;
export type PgpStatus = (typeof PGP_STATUSES)[number];
export type PgpPolicy = 'required' | 'preferred' | 'never';

/** A public key the directory holds, with what the directory says about it. */
export interface DirectoryKey {
  /** Upper-case hex of the primary key. */
  fingerprint: string;
  armored: string;
  /** NULL = never expires (as recorded by the directory; the key's own expiry is checked too). */
  expiresAt: Date | null;
  /** NULL = not revoked (as recorded by the directory; the key's own revocation is checked too). */
  revokedAt: Date | null;
}

export interface KeyRing {
  /** Keys that may have made a signature: any whose key or subkey ID is listed, or that carries the address. */
  signingCandidates(keyIds: readonly string[], address: string | null): Promise<DirectoryKey[]>;
  /** What to encrypt to for an address: its keys, its organisation's PGP policy ('preferred' when unknown), and the language to write in (null = unknown). */
  /** tlpCeiling: the highest TLP the recipient's organisation may receive; null = not in the directory. */
  recipient(address: string): Promise<{ policy: PgpPolicy; keys: DirectoryKey[]; language: 'en' | 'ja' | null; tlpCeiling: TlpLevel | null }>;
  /** The instance's own secret key, ready to use; null when none is set up. */
  instanceKey(): Promise<openpgp.PrivateKey | null>;
}

export interface PgpOutcome {
  /** null = no PGP in the message. */
  format: 'pgp_mime' | 'inline' | null;
  status: PgpStatus;
  signerKeyIds: string[];
  signerFingerprint: string | null;
  encryption: 'none' | 'decrypted' | 'failed';
  detail: string | null;
  /** The inner MIME entity of a PGP/MIME encrypted message, to be parsed in place of the outer one. */
  decryptedEntity: Buffer | null;
  /** The plain text of an inline encrypted or clear-signed body, to show in place of the armour. */
  plainText: string | null;
}

type VerificationResult = openpgp.DecryptMessageResult['signatures'][number];

/** The outcome of a message with no PGP in it. */
export const NO_PGP: PgpOutcome = {
  format: null,
  status: 'unsigned',
  signerKeyIds: [],
  signerFingerprint: null,
  encryption: 'none',
  detail: null,
  decryptedEntity: null,
  plainText: null,
};
const MAX_ARMOR_CHARS = 16 * 1024 * 1024;

/**
 * Looks at a raw message (untrusted input) for PGP/MIME or inline PGP; verifies signatures against
 * the key ring and decrypts with the instance key. Never throws for what the message contains.
 * @example const outcome = await inspectPgp(raw, { textBody: parsed.text ?? '', from: 'a@example.org' }, keyRing);
 */
export async function inspectPgp(raw: Buffer, message: { textBody: string; from: string | null }, keyRing: KeyRing): Promise<PgpOutcome> {
  const top = splitEntity(raw);
  const contentType = parseContentType(headerValue(top, 'content-type'));
  if (contentType.mediaType === 'multipart/encrypted' && contentType.params.protocol?.toLowerCase() === 'application/pgp-encrypted') {
    return decryptPgpMime(top.body, contentType.params.boundary ?? '', message.from, keyRing);
  }
  if (contentType.mediaType === 'multipart/signed' && contentType.params.protocol?.toLowerCase() === 'application/pgp-signature') {
    return verifyPgpMime(top.body, contentType.params.boundary ?? '', message.from, keyRing);
  }
  return inspectInline(message.textBody, message.from, keyRing);
}

async function verifyPgpMime(body: Buffer, boundary: string, from: string | null, keyRing: KeyRing): Promise<PgpOutcome> {
  const parts = splitMultipart(body, boundary);
  const base = { ...NO_PGP, format: 'pgp_mime' as const };
  if (parts.length < 2) return { ...base, status: 'bad', detail: 'multipart/signed without a signed part and a signature part' };
  const signed = toCrlf(parts[0]!);
  const signaturePart = splitEntity(parts[1]!);
  let signature: openpgp.Signature;
  try {
    signature = await openpgp.readSignature({ armoredSignature: armorIn(signaturePart.body.toString('latin1'), 'SIGNATURE') });
  } catch (error) {
    return { ...base, status: 'bad', detail: `The signature part is not an OpenPGP signature: ${describe(error)}` };
  }
  const keyIds = signature.getSigningKeyIDs().map((id) => id.toHex().toUpperCase());
  const verdict = await judge(keyIds, from, keyRing, async (keys) => {
    const message = await openpgp.createMessage({ binary: new Uint8Array(signed) });
    const { signatures } = await openpgp.verify({ message, signature, verificationKeys: keys, format: 'binary' });
    return signatures;
  });
  return { ...base, ...verdict };
}

async function decryptPgpMime(body: Buffer, boundary: string, from: string | null, keyRing: KeyRing): Promise<PgpOutcome> {
  const parts = splitMultipart(body, boundary);
  const base = { ...NO_PGP, format: 'pgp_mime' as const };
  const payload = parts[1] ? splitEntity(parts[1]).body.toString('latin1') : '';
  const decrypted = await decryptArmored(payload, from, keyRing, 'binary');
  if (!decrypted.ok) return { ...base, encryption: 'failed', detail: decrypted.detail };
  const inner = Buffer.from(decrypted.data);
  // Signed then encrypted (RFC 3156 §6.1): the inner entity is itself multipart/signed.
  const innerTop = splitEntity(inner);
  const innerType = parseContentType(headerValue(innerTop, 'content-type'));
  if (decrypted.verdict.status === 'unsigned' && innerType.mediaType === 'multipart/signed') {
    const nested = await verifyPgpMime(innerTop.body, innerType.params.boundary ?? '', from, keyRing);
    return { ...nested, encryption: 'decrypted', decryptedEntity: inner };
  }
  return { ...base, ...decrypted.verdict, encryption: 'decrypted', decryptedEntity: inner };
}

async function inspectInline(text: string, from: string | null, keyRing: KeyRing): Promise<PgpOutcome> {
  const base = { ...NO_PGP, format: 'inline' as const };
  const encrypted = block(text, 'MESSAGE');
  if (encrypted) {
    const decrypted = await decryptArmored(encrypted, from, keyRing, 'utf8');
    if (!decrypted.ok) return { ...base, encryption: 'failed', detail: decrypted.detail };
    return { ...base, ...decrypted.verdict, encryption: 'decrypted', plainText: text.replace(encrypted, decrypted.data) };
  }
  const cleartext = signedBlock(text);
  if (!cleartext) return NO_PGP;
  let message: openpgp.CleartextMessage;
  try {
    message = await openpgp.readCleartextMessage({ cleartextMessage: cleartext });
  } catch (error) {
    return { ...base, status: 'bad', detail: `The signed block cannot be read: ${describe(error)}` };
  }
  const keyIds = message.getSigningKeyIDs().map((id) => id.toHex().toUpperCase());
  const verdict = await judge(keyIds, from, keyRing, (keys) => message.verify(keys));
  return { ...base, ...verdict, plainText: text.replace(cleartext, message.getText()) };
}

type Verdict = Pick<PgpOutcome, 'status' | 'signerKeyIds' | 'signerFingerprint' | 'detail'>;

async function decryptArmored<F extends 'binary' | 'utf8'>(
  armored: string,
  from: string | null,
  keyRing: KeyRing,
  format: F,
): Promise<{ ok: true; data: F extends 'binary' ? Uint8Array : string; verdict: Verdict } | { ok: false; detail: string }> {
  const instanceKey = await keyRing.instanceKey();
  if (!instanceKey) return { ok: false, detail: 'The message is encrypted but this instance has no PGP key to decrypt it with' };
  if (armored.length > MAX_ARMOR_CHARS) return { ok: false, detail: 'The encrypted block is too large' };
  let message: openpgp.Message<Uint8Array>;
  try {
    message = await openpgp.readMessage({ armoredMessage: armorIn(armored, 'MESSAGE') });
  } catch (error) {
    return { ok: false, detail: `The encrypted block is not an OpenPGP message: ${describe(error)}` };
  }
  let data: Uint8Array | string;
  let signatures: VerificationResult[];
  try {
    ({ data, signatures } = await openpgp.decrypt({ message, decryptionKeys: instanceKey, format: format === 'binary' ? 'binary' : 'utf8' }));
  } catch (error) {
    return { ok: false, detail: `Cannot decrypt with the instance key: ${describe(error)}` };
  }
  if (signatures.length === 0)
    return { ok: true, data: data as never, verdict: { status: 'unsigned', signerKeyIds: [], signerFingerprint: null, detail: null } };
  const keyIds = signatures.map((s) => s.keyID.toHex().toUpperCase());
  // Decrypting again with the signer's keys is how openpgp.js checks an embedded signature (≈ms).
  const verdict = await judge(keyIds, from, keyRing, async (keys) => {
    // A message object is spent by one decryption: read it again.
    const again = await openpgp.readMessage({ armoredMessage: armorIn(armored, 'MESSAGE') });
    return (await openpgp.decrypt({ message: again, decryptionKeys: instanceKey, verificationKeys: keys, format: 'binary' })).signatures;
  });
  return { ok: true, data: data as never, verdict };
}

/**
 * Decides a signature's status from the key ring and openpgp.js. Order: no key → unknown_key;
 * a revoked key → revoked_key; an expired key → expired_key (both whether or not the maths holds:
 * the key cannot vouch either way); the maths fails → bad; else good.
 */
async function judge(
  keyIds: string[],
  from: string | null,
  keyRing: KeyRing,
  verify: (keys: openpgp.PublicKey[]) => Promise<VerificationResult[]>,
): Promise<Verdict> {
  const base = { signerKeyIds: keyIds, signerFingerprint: null, detail: null };
  if (keyIds.length === 0) return { ...base, status: 'bad', detail: 'The signature names no signing key' };
  const candidates = await keyRing.signingCandidates(keyIds, from);
  let match: { entry: DirectoryKey; key: openpgp.PublicKey } | null = null;
  for (const entry of candidates) {
    const key = await openpgp.readKey({ armoredKey: entry.armored }).catch(() => null);
    if (key && key.getKeys().some((k) => keyIds.includes(k.getKeyID().toHex().toUpperCase()))) {
      match = { entry, key };
      break;
    }
  }
  if (!match) return { ...base, status: 'unknown_key', detail: `No directory key with ID ${keyIds.join(', ')}` };
  const fingerprint = match.key.getFingerprint().toUpperCase();
  const now = new Date();
  const revoked = match.entry.revokedAt !== null || (await match.key.isRevoked(undefined, undefined, now).catch(() => false));
  if (revoked) return { ...base, signerFingerprint: fingerprint, status: 'revoked_key', detail: 'The signing key has been revoked' };
  const expiry = await match.key.getExpirationTime().catch(() => null);
  const expired = (match.entry.expiresAt !== null && match.entry.expiresAt <= now) || (expiry instanceof Date && expiry <= now);
  if (expired) return { ...base, signerFingerprint: fingerprint, status: 'expired_key', detail: 'The signing key has expired' };
  try {
    const results = await verify([match.key]);
    const ours = results.find((r) => match.key.getKeys(r.keyID).length > 0) ?? results[0];
    if (!ours) return { ...base, signerFingerprint: fingerprint, status: 'bad', detail: 'No signature to check' };
    await ours.verified;
    return { ...base, signerFingerprint: fingerprint, status: 'good' };
  } catch (error) {
    return { ...base, signerFingerprint: fingerprint, status: 'bad', detail: `The signature does not match: ${describe(error)}` };
  }
}

/** The first armoured block of a kind in a text, or null. */
function block(text: string, kind: 'MESSAGE' | 'SIGNATURE'): string | null {
  const begin = text.indexOf(`-----BEGIN PGP ${kind}-----`);
  if (begin < 0) return null;
  const endMarker = `-----END PGP ${kind}-----`;
  const end = text.indexOf(endMarker, begin);
  return end < 0 ? null : text.slice(begin, end + endMarker.length);
}

function signedBlock(text: string): string | null {
  const begin = text.indexOf('-----BEGIN PGP SIGNED MESSAGE-----');
  if (begin < 0) return null;
  const endMarker = '-----END PGP SIGNATURE-----';
  const end = text.indexOf(endMarker, begin);
  return end < 0 ? null : text.slice(begin, end + endMarker.length);
}

/** The armoured block inside a part (senders wrap it in prose or stray whitespace). */
function armorIn(text: string, kind: 'MESSAGE' | 'SIGNATURE'): string {
  return block(text.replace(/\r\n/g, '\n'), kind) ?? text;
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}

/* ---------------------------------------------------------------- outbound */

/**
 * Wraps a MIME entity (its headers are the content headers only) in RFC 3156 multipart/signed with a
 * detached signature by the instance key. Returns the new top-level content headers and body.
 * @example const { contentType, body } = await signMime(entity, instanceKey);
 */
export async function signMime(entity: Buffer, signingKey: openpgp.PrivateKey): Promise<{ contentType: string; body: Buffer }> {
  const canonical = toCrlf(entity);
  const message = await openpgp.createMessage({ binary: new Uint8Array(canonical) });
  const signature = await openpgp.sign({ message, signingKeys: signingKey, detached: true, format: 'armored' });
  const boundary = newBoundary();
  const body = Buffer.concat([
    Buffer.from(`This is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n--${boundary}\r\n`, 'latin1'),
    canonical,
    Buffer.from(
      `\r\n--${boundary}\r\nContent-Type: application/pgp-signature; name="signature.asc"\r\nContent-Description: OpenPGP digital signature\r\nContent-Disposition: attachment; filename="signature.asc"\r\n\r\n${signature.replace(/\r?\n/g, '\r\n')}\r\n--${boundary}--\r\n`,
      'latin1',
    ),
  ]);
  return { contentType: `multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="${boundary}"`, body };
}

/**
 * Encrypts (and signs, RFC 3156 §6.2 combined form) a MIME entity to the recipients' keys and the
 * instance key (so the sent copy stays readable), as multipart/encrypted.
 */
export async function encryptMime(
  entity: Buffer,
  recipientKeys: openpgp.PublicKey[],
  signingKey: openpgp.PrivateKey,
): Promise<{ contentType: string; body: Buffer }> {
  const message = await openpgp.createMessage({ binary: new Uint8Array(toCrlf(entity)) });
  const armored = await openpgp.encrypt({ message, encryptionKeys: [...recipientKeys, signingKey.toPublic()], signingKeys: signingKey, format: 'armored' });
  const boundary = newBoundary();
  const body = Buffer.from(
    `This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n--${boundary}\r\nContent-Type: application/pgp-encrypted\r\nContent-Description: PGP/MIME version identification\r\n\r\nVersion: 1\r\n\r\n--${boundary}\r\nContent-Type: application/octet-stream; name="encrypted.asc"\r\nContent-Description: OpenPGP encrypted message\r\nContent-Disposition: inline; filename="encrypted.asc"\r\n\r\n${armored.replace(/\r?\n/g, '\r\n')}\r\n--${boundary}--\r\n`,
    'latin1',
  );
  return { contentType: `multipart/encrypted; protocol="application/pgp-encrypted"; boundary="${boundary}"`, body };
}

/** Keys in the list that can encrypt now (not revoked, not expired, by the directory and by the key itself). */
export async function usableEncryptionKeys(entries: readonly DirectoryKey[], now = new Date()): Promise<openpgp.PublicKey[]> {
  const usable: openpgp.PublicKey[] = [];
  for (const entry of entries) {
    if (entry.revokedAt !== null || (entry.expiresAt !== null && entry.expiresAt <= now)) continue;
    const key = await openpgp.readKey({ armoredKey: entry.armored }).catch(() => null);
    if (!key) continue;
    const encryptionKey = await key.getEncryptionKey(undefined, now).catch(() => null);
    if (encryptionKey) usable.push(key);
  }
  return usable;
}

function newBoundary(): string {
  return `----renkei-${crypto.randomUUID()}`;
}

/** A key ring over keys held in memory: for tests and for tools that are handed keys directly. */
export function memoryKeyRing(options: {
  keys?: DirectoryKey[];
  instanceKey?: openpgp.PrivateKey | null;
  policies?: Record<string, PgpPolicy>;
  languages?: Record<string, 'en' | 'ja'>;
}): KeyRing & { add(key: DirectoryKey): void } {
  const keys = [...(options.keys ?? [])];
  const parsed = new Map<string, Promise<openpgp.PublicKey | null>>();
  const read = (entry: DirectoryKey) => {
    let key = parsed.get(entry.armored);
    if (!key) parsed.set(entry.armored, (key = openpgp.readKey({ armoredKey: entry.armored }).catch(() => null)));
    return key;
  };
  const emailsOf = async (entry: DirectoryKey) =>
    ((await read(entry))?.getUserIDs() ?? []).map((u) => /<([^>]+)>/.exec(u)?.[1]?.toLowerCase() ?? u.toLowerCase());
  return {
    add: (key) => void keys.push(key),
    async signingCandidates(keyIds, address) {
      const found: DirectoryKey[] = [];
      for (const entry of keys) {
        const key = await read(entry);
        if (!key) continue;
        const ids = key.getKeyIDs().map((id) => id.toHex().toUpperCase());
        if (ids.some((id) => keyIds.includes(id)) || (address && (await emailsOf(entry)).includes(address.toLowerCase()))) found.push(entry);
      }
      return found;
    },
    async recipient(address) {
      const domain = address.split('@')[1] ?? '';
      const matching: DirectoryKey[] = [];
      for (const entry of keys) if ((await emailsOf(entry)).includes(address.toLowerCase())) matching.push(entry);
      return {
        policy: options.policies?.[address.toLowerCase()] ?? options.policies?.[domain] ?? 'preferred',
        keys: matching,
        language: options.languages?.[address.toLowerCase()] ?? null,
        tlpCeiling: null,
      };
    },
    instanceKey: async () => options.instanceKey ?? null,
  };
}
