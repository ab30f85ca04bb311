import { describe, expect, it } from 'vitest';
import { generateTotpSecret, matchTotp, totpCode, totpStep } from './totp.ts';

// RFC 6238 Appendix B, SHA-1, secret "12345678901234567890" (base32 below), 8 digits cut to 6.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP', () => {
  it('Should match the RFC 6238 test vectors', () => {
    for (const [seconds, code] of RFC_VECTORS) {
      expect(totpCode(RFC_SECRET, totpStep(new Date(seconds * 1000)))).toBe(code.slice(2));
    }
  });

  it('Should accept the neighbouring step for clock drift but not two steps away', () => {
    const secret = generateTotpSecret();
    const now = new Date('2026-11-26T10:00:00Z');
    const step = totpStep(now);
    expect(matchTotp(secret, totpCode(secret, step - 1), now, null)).toBe(step - 1);
    expect(matchTotp(secret, totpCode(secret, step + 1), now, null)).toBe(step + 1);
    expect(matchTotp(secret, totpCode(secret, step - 2), now, null)).toBeNull();
  });

  it('Should refuse a code that was already used', () => {
    const secret = generateTotpSecret();
    const now = new Date();
    const code = totpCode(secret, totpStep(now));
    const used = matchTotp(secret, code, now, null);
    expect(used).not.toBeNull();
    expect(matchTotp(secret, code, now, used)).toBeNull();
  });

  it('Should refuse malformed codes without throwing', () => {
    const secret = generateTotpSecret();
    for (const bad of ['', '12345', '1234567', 'abcdef', '12 456', '１２３４５６', '0'.repeat(10_000)]) {
      expect(matchTotp(secret, bad, new Date(), null)).toBeNull();
    }
  });
});
