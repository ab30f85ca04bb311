import { describe, expect, it } from 'vitest';
import { cleanText } from './text.ts';

describe('cleanText', () => {
  it('Should drop NUL and replace lone surrogates, keeping surrogate pairs', () => {
    expect(cleanText('a\u0000b\uD800c\uDC00d\uD83D\uDE00')).toBe('ab\uFFFDc\uFFFDd\uD83D\uDE00');
  });

  it('Should cut to the limit before cleaning, so a pair cut in half becomes U+FFFD', () => {
    expect(cleanText('ab\uD83D\uDE00', 3)).toBe('ab\uFFFD');
    expect(cleanText(null, 5)).toBe('');
  });
});
