/** What a site's security.txt (RFC 9116) says about reaching it. */
export interface SecurityTxt {
  contacts: string[];
  expires: string | null;
  expired: boolean;
  signed: boolean;
}

const MAX_LINES = 1000;

/**
 * Reads the fields of a security.txt that a lookup uses: Contact (mailto:, https:, tel: URIs, in
 * order of preference) and Expires. A PGP-cleartext-signed file is read from its signed text (the
 * signature is not verified here). Untrusted input.
 * @example parseSecurityTxt('Contact: mailto:security@example.com\nExpires: 2030-01-01T00:00:00Z') // { contacts: ['mailto:security@example.com'], ... }
 */
export function parseSecurityTxt(text: string, now = new Date()): SecurityTxt {
  const signed = text.includes('-----BEGIN PGP SIGNED MESSAGE-----');
  const contacts: string[] = [];
  let expires: string | null = null;
  for (const raw of text.split(/\r?\n/).slice(0, MAX_LINES)) {
    const line = raw.replace(/^- /, '');
    if (line.startsWith('-----BEGIN PGP SIGNATURE')) break;
    const match = /^([A-Za-z-]+):\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const field = match[1]!.toLowerCase();
    const value = match[2]!;
    if (field === 'contact' && /^(mailto:|https:\/\/|tel:)/i.test(value) && value.length <= 500 && contacts.length < 20) contacts.push(value);
    if (field === 'expires' && !expires) expires = value.slice(0, 64);
  }
  const expiresAt = expires ? new Date(expires) : null;
  return { contacts, expires, expired: !!expiresAt && !Number.isNaN(expiresAt.getTime()) && expiresAt < now, signed };
}
