import { describe, expect, it } from 'vitest';
import { splitItems } from './lookup.ts';

describe('splitItems', () => {
  it('Should split a pasted list on lines, spaces, commas and semicolons, keeping defanged forms whole', () => {
    expect(splitItems('1.2.3[.]4, example[.]com\r\n\n hxxp://x[.]jp/a?b=1;2001:db8::1\t')).toEqual([
      '1.2.3[.]4',
      'example[.]com',
      'hxxp://x[.]jp/a?b=1',
      '2001:db8::1',
    ]);
    expect(splitItems('  \n ')).toEqual([]);
  });
});
