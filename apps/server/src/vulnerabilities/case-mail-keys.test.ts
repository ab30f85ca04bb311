import { describe, expect, it } from 'vitest';
import { caseOfKey, isCaseMail, vendorThreadKey } from './case-mail-keys.ts';
import { cleanBody, cleanSubject } from './vendor-mail.service.ts';

describe('the mail thread keys of a case', () => {
  it('Should make a vendor thread key the subject-token reader finds again (upper case)', () => {
    const key = vendorThreadKey('VU-2026-00001', '1a2b3c4d-0000-4000-8000-000000000000');
    expect(key).toBe('VU-2026-00001-1A2B3C4D');
    expect(caseOfKey(key)).toEqual({ reference: 'VU-2026-00001', participantPrefix: '1a2b3c4d' });
    expect(caseOfKey(key.toLowerCase())).toEqual({ reference: 'VU-2026-00001', participantPrefix: '1a2b3c4d' });
    expect(caseOfKey('VU-2026-00001')).toEqual({ reference: 'VU-2026-00001', participantPrefix: null });
  });

  it('Should name no case for other keys, near misses and hostile strings', () => {
    for (const key of [
      'IR-2026-000123',
      'ML-2026-000007',
      'VR-2026-00001',
      'VU-2026-0001',
      'VU-2026-000001',
      'VU-2026-00001-1A2B3C4',
      'VU-2026-00001-1A2B3C4DE',
      'VU-2026-00001-ZZZZZZZZ',
      ' VU-2026-00001',
      'VU-2026-00001\r\nBcc: x@y',
      `VU-2026-${'9'.repeat(100_000)}`,
      '',
    ]) {
      expect(caseOfKey(key), key.slice(0, 40)).toBeNull();
    }
  });

  it('Should route to the case intake a message in a vendor thread or naming a case, and nothing else', () => {
    expect(isCaseMail({ threadKey: 'VU-2026-00001-1A2B3C4D', subjectKeys: [] })).toBe(true);
    expect(isCaseMail({ threadKey: null, subjectKeys: ['IR-2026-000001', 'VU-2026-00001'] })).toBe(true);
    // A finder's report thread is the vulnerability intake's, not a vendor's.
    expect(isCaseMail({ threadKey: 'VU-2026-00001', subjectKeys: [] })).toBe(false);
    expect(isCaseMail({ threadKey: 'INC-2026-000045-C1', subjectKeys: ['INC-2026-000045-C1'] })).toBe(false);
    expect(isCaseMail({ threadKey: null, subjectKeys: [] })).toBe(false);
  });
});

describe('cleaning what the team typed into a mail', () => {
  it('Should leave no line break or other control character in a subject, and cut it at 300', () => {
    for (const hostile of ['a\r\nBcc: evil@example.com', 'a\rb', 'a\nb', 'a\u0085b', 'a\u2028b', 'a\u2029b', 'a\u0000b', 'a\u001bb', 'a\tb']) {
      const cleaned = cleanSubject(hostile);
      expect([...cleaned].some((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f) || c === '\u2028' || c === '\u2029')).toBe(
        false,
      );
      expect(cleaned.startsWith('a ')).toBe(true);
    }
    expect(cleanSubject('x'.repeat(10_000))).toHaveLength(300);
    expect(cleanSubject(' \r\n\t ')).toBe('');
    expect(cleanSubject('件名 🙂 <b>')).toBe('件名 🙂 <b>');
  });

  it('Should keep a body’s lines and tabs, drop other control characters and NUL, and cut it at 100,000', () => {
    expect(cleanBody('line 1\r\nline 2\rline 3\n\tindented\u001b[31mred\u0007\u0000')).toBe('line 1\nline 2\nline 3\n\tindented[31mred');
    expect(cleanBody('y'.repeat(200_000))).toHaveLength(100_000);
    expect(cleanBody('\u0001\u0002 \n ')).toBe('');
  });
});
