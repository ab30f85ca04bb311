import { BadRequestError } from '../../kernel/errors.ts';

export type PublicIdErrorCode = 'invalid_public_id' | 'invalid_public_id_number' | 'invalid_public_id_prefixes' | 'invalid_case_reference';

/** A public ID or case reference that cannot be formatted or read. */
export class PublicIdError extends BadRequestError {
  constructor(
    readonly reason: PublicIdErrorCode,
    message: string,
  ) {
    super(reason, message);
  }
}

/** `multi_party`: several vendors or an international case (JVNVU#); `single`: one vendor (JVN#). */
export const PUBLIC_ID_KINDS = ['multi_party', 'single'] as const;
export type PublicIdKind = (typeof PUBLIC_ID_KINDS)[number];

export interface PublicIdPrefixes {
  multiParty: string;
  single: string;
}

export const DEFAULT_PUBLIC_ID_PREFIXES: Readonly<PublicIdPrefixes> = { multiParty: 'JVNVU#', single: 'JVN#' };

export interface PublicId {
  kind: PublicIdKind;
  /** The 8-digit number as an integer, 1..99999999. */
  number: number;
  /** Canonical text: prefix then 8 digits, zero-padded. */
  id: string;
}

const PUBLIC_ID_DIGITS = 8;
const MAX_PUBLIC_ID_NUMBER = 10 ** PUBLIC_ID_DIGITS - 1;

function checkPrefixes(prefixes: PublicIdPrefixes): void {
  for (const prefix of [prefixes.multiParty, prefixes.single]) {
    // A prefix ending in a digit would run into the number and make "JVN1#…" ambiguous.
    if (typeof prefix !== 'string' || !/^[A-Za-z][A-Za-z0-9#-]{0,15}$/.test(prefix) || /\d$/.test(prefix)) {
      throw new PublicIdError(
        'invalid_public_id_prefixes',
        `A public ID prefix is 1 to 16 letters, digits, # or -, starting with a letter and not ending in a digit: ${JSON.stringify(prefix)}`,
      );
    }
  }
  if (prefixes.multiParty.toUpperCase() === prefixes.single.toUpperCase()) {
    throw new PublicIdError('invalid_public_id_prefixes', 'The multi-party and single-vendor prefixes must differ');
  }
}

/**
 * The public ID given at publication; the number comes from the caller's sequence.
 * @example formatPublicId('multi_party', 91234567) // 'JVNVU#91234567'
 * @example formatPublicId('single', 42) // 'JVN#00000042'
 * @throws PublicIdError for a number outside 1..99999999 or unusable prefixes
 */
export function formatPublicId(kind: PublicIdKind, number: number, prefixes: PublicIdPrefixes = DEFAULT_PUBLIC_ID_PREFIXES): string {
  checkPrefixes(prefixes);
  if (!Number.isInteger(number) || number < 1 || number > MAX_PUBLIC_ID_NUMBER) {
    throw new PublicIdError('invalid_public_id_number', `A public ID number is a whole number from 1 to ${MAX_PUBLIC_ID_NUMBER}, not ${String(number)}`);
  }
  const prefix = kind === 'multi_party' ? prefixes.multiParty : prefixes.single;
  return `${prefix}${String(number).padStart(PUBLIC_ID_DIGITS, '0')}`;
}

/**
 * Read a public ID (prefix matched case-insensitively, surrounding space ignored) into its canonical form.
 * @example parsePublicId('jvnvu#91234567') // { kind: 'multi_party', number: 91234567, id: 'JVNVU#91234567' }
 * @throws PublicIdError when the text is not one of the two prefixes followed by exactly 8 digits
 */
export function parsePublicId(text: string, prefixes: PublicIdPrefixes = DEFAULT_PUBLIC_ID_PREFIXES): PublicId {
  checkPrefixes(prefixes);
  const value = typeof text === 'string' ? text.trim() : '';
  const shown = JSON.stringify(value.slice(0, 40));
  // Longest prefix first, so that configured prefixes where one starts the other still read right.
  const candidates = (
    [
      ['multi_party', prefixes.multiParty],
      ['single', prefixes.single],
    ] as const
  ).toSorted((a, b) => b[1].length - a[1].length);
  for (const [kind, prefix] of candidates) {
    if (value.length !== prefix.length + PUBLIC_ID_DIGITS || value.slice(0, prefix.length).toUpperCase() !== prefix.toUpperCase()) continue;
    const digits = value.slice(prefix.length);
    if (!/^\d{8}$/.test(digits) || Number(digits) === 0) break;
    return { kind, number: Number(digits), id: `${prefix}${digits}` };
  }
  throw new PublicIdError('invalid_public_id', `Not a public ID: ${shown} (expected ${prefixes.multiParty} or ${prefixes.single} and 8 digits)`);
}

export const CASE_REFERENCE_PREFIX = 'VU';
const CASE_SEQUENCE_DIGITS = 5;
// Past 15 digits a sequence stops being a safe integer; no team gets there.
const MAX_CASE_SEQUENCE_DIGITS = 15;

/**
 * The internal reference of a vulnerability case: year and a per-year sequence, 5 digits, wider past 99999.
 * @example caseReference(2026, 1) // 'VU-2026-00001'
 * @example caseReference(2026, 123456) // 'VU-2026-123456'
 * @throws PublicIdError for a year outside 1000..9999 or a sequence below 1
 */
export function caseReference(year: number, seq: number): string {
  if (!Number.isInteger(year) || year < 1000 || year > 9999)
    throw new PublicIdError('invalid_case_reference', `A case year has four digits, not ${String(year)}`);
  if (!Number.isInteger(seq) || seq < 1 || String(seq).length > MAX_CASE_SEQUENCE_DIGITS) {
    throw new PublicIdError('invalid_case_reference', `A case sequence is a whole number from 1 to ${MAX_CASE_SEQUENCE_DIGITS} digits, not ${String(seq)}`);
  }
  return `${CASE_REFERENCE_PREFIX}-${year}-${String(seq).padStart(CASE_SEQUENCE_DIGITS, '0')}`;
}

/**
 * Read a case reference written as caseReference writes it (the prefix in any case).
 * @example parseCaseReference('VU-2026-00012') // { year: 2026, seq: 12, reference: 'VU-2026-00012' }
 * @throws PublicIdError for anything else, including padding caseReference would not write (VU-2026-012345)
 */
export function parseCaseReference(text: string): { year: number; seq: number; reference: string } {
  const value = typeof text === 'string' ? text.trim() : '';
  const match = value.length <= 32 ? /^VU-(\d{4})-(\d{5,15})$/i.exec(value) : null;
  const year = Number(match?.[1]);
  const seq = Number(match?.[2]);
  if (!match || year < 1000 || seq < 1 || caseReference(year, seq) !== `${CASE_REFERENCE_PREFIX}-${match[1]}-${match[2]}`) {
    throw new PublicIdError('invalid_case_reference', `Not a case reference: ${JSON.stringify(value.slice(0, 40))} (expected VU-YYYY-NNNNN)`);
  }
  return { year, seq, reference: caseReference(year, seq) };
}
