/**
 * The mail thread keys of a case: one thread per vendor participant, `VU-2026-00001-1A2B3C4D` (the case
 * reference and the first 8 hex digits of the participant's id, upper case as the subject-token reader
 * gives it back), carried in brackets in each subject so replies come back to the case and the vendor.
 */

const CASE_REFERENCE = /^VU-\d{4}-\d{5}$/;
const VENDOR_THREAD = /^(VU-\d{4}-\d{5})-([0-9A-F]{8})$/;

/**
 * The key of the mail thread between the team and one participant of a case.
 * @example vendorThreadKey('VU-2026-00001', '1a2b3c4d-…') // 'VU-2026-00001-1A2B3C4D'
 */
export function vendorThreadKey(reference: string, participantId: string): string {
  return `${reference}-${participantId.slice(0, 8).toUpperCase()}`;
}

/** What a thread key or a subject's key names: the case reference and, for a vendor thread, the participant's id prefix (lower case). */
export function caseOfKey(key: string): { reference: string; participantPrefix: string | null } | null {
  const upper = key.toUpperCase();
  const vendor = VENDOR_THREAD.exec(upper);
  if (vendor) return { reference: vendor[1]!, participantPrefix: vendor[2]!.toLowerCase() };
  return CASE_REFERENCE.test(upper) ? { reference: upper, participantPrefix: null } : null;
}

/**
 * True when a new inbound message concerns a vulnerability case: it joined a vendor's thread of a case (a
 * reply, or a DSN of a case mail) or its subject names a case. The composition root sends it to the case
 * mail intake rather than the incident intake; that intake decides whether it may be filed on the case.
 * @example isCaseMail({ threadKey: null, subjectKeys: ['VU-2026-00001'] }) // true
 */
export function isCaseMail(message: { threadKey: string | null; subjectKeys: readonly string[] }): boolean {
  if (message.threadKey && caseOfKey(message.threadKey)?.participantPrefix) return true;
  return message.subjectKeys.some((key) => caseOfKey(key) !== null);
}
