import { describe, expect, it } from 'vitest';
import { PublicIdError, caseReference, formatPublicId, parseCaseReference, parsePublicId, type PublicIdErrorCode } from './public-id.ts';

function reasonOf(action: () => unknown): PublicIdErrorCode {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(PublicIdError);
    expect(error).toMatchObject({ status: 400 });
    return (error as PublicIdError).reason;
  }
  throw new Error('no error');
}

describe('formatPublicId and parsePublicId', () => {
  it('Should write JVNVU# for multi-party cases and JVN# otherwise, 8 digits zero-padded', () => {
    expect(formatPublicId('multi_party', 91234567)).toBe('JVNVU#91234567');
    expect(formatPublicId('single', 42)).toBe('JVN#00000042');
    expect(formatPublicId('single', 99_999_999)).toBe('JVN#99999999');
  });

  it('Should read back what it writes, and lower case or surrounding space', () => {
    expect(parsePublicId('JVNVU#91234567')).toEqual({ kind: 'multi_party', number: 91234567, id: 'JVNVU#91234567' });
    expect(parsePublicId(' jvn#00000042\n')).toEqual({ kind: 'single', number: 42, id: 'JVN#00000042' });
  });

  it('Should use configured prefixes, even when one starts the other', () => {
    const prefixes = { multiParty: 'XVU#', single: 'X#' };
    expect(formatPublicId('multi_party', 7, prefixes)).toBe('XVU#00000007');
    expect(parsePublicId('X#00000007', prefixes).kind).toBe('single');
    const nested = { multiParty: 'JVN#VU', single: 'JVN#' };
    expect(parsePublicId('JVN#VU00000001', nested).kind).toBe('multi_party');
    expect(parsePublicId('JVN#00000001', nested).kind).toBe('single');
    expect(reasonOf(() => parsePublicId('JVNVU#91234567', prefixes))).toBe('invalid_public_id');
  });

  it('Should refuse numbers outside 1..99999999 and prefixes that cannot be read back', () => {
    for (const number of [0, -1, 1.5, 100_000_000, Number.NaN, Number.POSITIVE_INFINITY])
      expect(reasonOf(() => formatPublicId('single', number))).toBe('invalid_public_id_number');
    for (const prefixes of [
      { multiParty: 'JVN#', single: 'jvn#' },
      { multiParty: 'JVN1', single: 'JVN#' },
      { multiParty: '', single: 'JVN#' },
      { multiParty: 'JV N#', single: 'JVN#' },
      { multiParty: 'A'.repeat(17), single: 'JVN#' },
    ]) {
      expect(reasonOf(() => formatPublicId('single', 1, prefixes))).toBe('invalid_public_id_prefixes');
    }
  });

  it('Should refuse anything but a prefix and exactly 8 digits', () => {
    for (const text of [
      'JVN#1234567',
      'JVN#123456789',
      'JVN#00000000',
      'JVN #12345678',
      'JVNVU#1234567８',
      'JVNTA#12345678',
      'JVN#12345678x',
      '',
      'J'.repeat(1_000_000),
    ]) {
      expect(reasonOf(() => parsePublicId(text))).toBe('invalid_public_id');
    }
    expect(reasonOf(() => parsePublicId(42 as unknown as string))).toBe('invalid_public_id');
    expect(() => parsePublicId('JVN#1')).toThrow('Not a public ID: "JVN#1" (expected JVNVU# or JVN# and 8 digits)');
  });
});

describe('caseReference and parseCaseReference', () => {
  it('Should pad the sequence to 5 digits and widen past 99999', () => {
    expect(caseReference(2026, 1)).toBe('VU-2026-00001');
    expect(caseReference(2026, 99_999)).toBe('VU-2026-99999');
    expect(caseReference(2026, 100_000)).toBe('VU-2026-100000');
  });

  it('Should read back what it writes', () => {
    expect(parseCaseReference('VU-2026-00012')).toEqual({ year: 2026, seq: 12, reference: 'VU-2026-00012' });
    expect(parseCaseReference(' vu-2026-123456 ')).toEqual({ year: 2026, seq: 123456, reference: 'VU-2026-123456' });
  });

  it('Should refuse what it would not write', () => {
    for (const text of [
      'VU-2026-0001',
      'VU-2026-00000',
      'VU-2026-012345',
      'VU-26-00001',
      'VU-0999-00001',
      'VU-2026-00001x',
      'JVNVU#2026',
      'VU-2026-1234567890123456',
      'V'.repeat(100_000),
    ]) {
      expect(reasonOf(() => parseCaseReference(text))).toBe('invalid_case_reference');
    }
    for (const [year, seq] of [
      [26, 1],
      [2026, 0],
      [2026, 1.5],
      [2026, Number.MAX_SAFE_INTEGER * 2],
      [Number.NaN, 1],
    ] as const) {
      expect(reasonOf(() => caseReference(year, seq))).toBe('invalid_case_reference');
    }
  });
});
