import { describe, expect, it } from 'vitest';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './password.ts';

describe('password hashing', () => {
  it('Should verify the right password and refuse a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$N=32768,r=8,p=1\$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
  });

  it('Should give a different hash for the same password each time', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('Should treat composed and decomposed Japanese as the same password', async () => {
    const stored = await hashPassword('パスワード');
    expect(await verifyPassword('パスワード'.normalize('NFD'), stored)).toBe(true);
  });

  it('Should refuse malformed and parameter-bomb hashes without work', async () => {
    expect(await verifyPassword('x', 'plain')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$N=1073741824,r=8,p=1$AAAA$AAAA')).toBe(false);
    expect(await verifyPassword('x', DUMMY_PASSWORD_HASH)).toBe(false);
  });
});
