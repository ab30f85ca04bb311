/**
 * Reply tokens: the thread key a subject carries in brackets (`[IR-2026-000123]`) and a plus-address
 * carries after the `+` (`report+IR-2026-000123@…`). Pluggable: another domain may bring its own format.
 */
export interface ReplyTokenFormat {
  /** Keys found in a subject, in order of appearance (upper case). */
  find(subject: string): string[];
  /** The subject marked with the key, unless it carries it already. */
  mark(subject: string, key: string): string;
  /** The key a plus-address's detail names (case-insensitive), or null. */
  fromDetail(detail: string): string | null;
}

/** Keys like `IR-2026-000123`, `INC-2026-000045`, `ML-2026-000007`: a prefix, then 1 to 3 dash-separated groups. */
export const DEFAULT_KEY_PATTERN = /[A-Z][A-Z0-9]{1,11}(?:-[A-Z0-9]{1,12}){1,3}/;

/**
 * The bracket format: `[KEY]` in the subject, `local+KEY@domain` in the address.
 * @example bracketTokens().find('Re: [IR-2026-000123] Phishing') // ['IR-2026-000123']
 */
export function bracketTokens(pattern: RegExp = DEFAULT_KEY_PATTERN): ReplyTokenFormat {
  const inBrackets = new RegExp(`\\[(${pattern.source})\\]`, 'gi');
  const whole = new RegExp(`^${pattern.source}$`, 'i');
  return {
    find: (subject) => [...subject.slice(0, 2000).matchAll(inBrackets)].map((m) => m[1]!.toUpperCase()),
    mark: (subject, key) => (subject.toUpperCase().includes(`[${key.toUpperCase()}]`) ? subject : `[${key}] ${subject}`.trim()),
    fromDetail: (detail) => (whole.test(detail) ? detail.toUpperCase() : null),
  };
}

/** The detail of a plus-address (`report+X@d` → `X`) when its base is the intake address, else null. */
export function plusDetail(address: string, intakeAddress: string): string | null {
  const at = address.lastIndexOf('@');
  const intakeAt = intakeAddress.lastIndexOf('@');
  if (at < 0 || intakeAt < 0) return null;
  const local = address.slice(0, at);
  const plus = local.indexOf('+');
  if (plus < 0) return null;
  const sameBase =
    local.slice(0, plus).toLowerCase() === intakeAddress.slice(0, intakeAt).toLowerCase() &&
    address.slice(at + 1).toLowerCase() === intakeAddress.slice(intakeAt + 1).toLowerCase();
  return sameBase ? local.slice(plus + 1) : null;
}

/** True for an address the intake accepts: the intake address itself or any plus-address of it. */
export function isIntakeAddress(address: string, intakeAddress: string): boolean {
  return address.toLowerCase() === intakeAddress.toLowerCase() || plusDetail(address, intakeAddress) !== null;
}

/** Subjects of replies and forwards in the languages our correspondents write in. */
const REPLY_PREFIX = /^\s*(re|aw|sv|vs|antw|fwd?|wg|tr|rv|返信|回复|回覆|答复)\s*(\[\d+\])?\s*[:：]/i;

export function looksLikeReply(subject: string, inReplyTo: string | null): boolean {
  return inReplyTo !== null || REPLY_PREFIX.test(subject);
}
