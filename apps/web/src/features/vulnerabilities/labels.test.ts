import { VENDOR_ANSWERS, VENDOR_STATUSES } from '@renkei/contract';
import { describe, expect, it } from 'vitest';
import en from '../../locales/en.json' with { type: 'json' };
import ja from '../../locales/ja.json' with { type: 'json' };
import { STATUS_COLOURS, isHandler, isNotAffected, statusLabel } from './labels.ts';

/** WCAG 2 relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
};

describe('vendor status colours and words', () => {
  it('Should give every status its own colour, readable text on it, and a short word in both languages', () => {
    const backgrounds = VENDOR_STATUSES.map((status) => STATUS_COLOURS[status].background.toLowerCase());
    expect(new Set(backgrounds).size).toBe(VENDOR_STATUSES.length);
    for (const status of VENDOR_STATUSES) {
      const { background, text } = STATUS_COLOURS[status];
      expect(contrast(background, text), status).toBeGreaterThanOrEqual(4.5);
      expect(en.vulnerabilities.statusShort[status]).toBeTruthy();
      expect(ja.vulnerabilities.statusShort[status]).toBeTruthy();
    }
  });

  it('Should take the JVN wording from the contract in Japanese and English', () => {
    expect(statusLabel('not_vulnerable', 'ja')).toBe('該当製品なし');
    expect(statusLabel('notified_no_answer', 'en')).toBe('Notified, no answer');
    expect(VENDOR_ANSWERS.map((status) => statusLabel(status, 'ja'))).toEqual([
      '不明',
      '該当製品あり',
      '該当製品あり（調査中）',
      '該当製品なし',
      '該当製品なし（調査中）',
    ]);
  });

  it('Should offer a VEX justification only for the not-affected statuses, and case handling only to handlers', () => {
    expect(VENDOR_STATUSES.filter(isNotAffected)).toEqual(['not_vulnerable', 'not_vulnerable_investigating']);
    expect(isHandler(['analyst'])).toBe(true);
    expect(isHandler(['publisher'])).toBe(false);
    expect(isHandler(['vendor_user'])).toBe(false);
  });
});
