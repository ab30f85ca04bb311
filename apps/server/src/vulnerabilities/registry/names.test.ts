import { describe, expect, it } from 'vitest';
import { compareNames, indexText, keywordIn, normaliseText } from './names.ts';

const n = normaliseText;

describe('normaliseText', () => {
  it('Should fold full-width Latin, case and punctuation, and keep Japanese as written after NFKC', () => {
    expect(n('ＡＣＭＥ　Router-OS (v2)').tokens).toEqual(['acme', 'router', 'os', 'v2']);
    expect(n('ｱｸﾒ・ルーター').compact).toBe('アクメルーター');
    expect(n('アクメ').japanese).toBe(true);
    expect(n('acme').japanese).toBe(false);
    expect(n('!!!').compact).toBe('');
  });
});

describe('compareNames', () => {
  it('Should call names equal when only spacing, case and punctuation differ', () => {
    expect(compareNames(n('Router-OS'), n('routeros'))).toBe('exact');
    expect(compareNames(n('ＲｏｕｔｅｒＯＳ'), n('Router OS'))).toBe('exact');
    expect(compareNames(n('ルーターOS'), n('ルーター OS'))).toBe('exact');
  });

  it('Should see a run of whole words inside another name, in either direction', () => {
    expect(compareNames(n('Router OS'), n('ACME Router OS 2.1'))).toBe('within');
    expect(compareNames(n('ACME Router OS Pro'), n('router os'))).toBe('contains');
    expect(compareNames(n('Router'), n('Routers Unlimited'))).toBe('none');
    expect(compareNames(n('OS'), n('Router OS'))).toBe('none'); // too short to say anything
  });

  it('Should compare Japanese names as substrings', () => {
    expect(compareNames(n('ルーター'), n('アクメ製ルーター'))).toBe('within');
    expect(compareNames(n('アクメ株式会社'), n('アクメ'))).toBe('contains');
    expect(compareNames(n('ルーター'), n('スイッチ'))).toBe('none');
    expect(compareNames(n(''), n('x'))).toBe('none');
  });
});

describe('keywordIn', () => {
  const text = indexText('SSL-VPN の脆弱性により、リモートから任意のコードが実行される. Remote Desktop too.');

  it('Should find Latin keywords as whole words and phrases only', () => {
    expect(keywordIn(text, n('VPN'))).toBe(true);
    expect(keywordIn(text, n('remote desktop'))).toBe(true);
    expect(keywordIn(text, n('desktop remote'))).toBe(false);
    expect(keywordIn(text, n('vp'))).toBe(false);
    expect(keywordIn(text, n('x'))).toBe(false);
  });

  it('Should find Japanese keywords as substrings', () => {
    expect(keywordIn(text, n('脆弱性'))).toBe(true);
    expect(keywordIn(text, n('リモート'))).toBe(true);
    expect(keywordIn(text, n('ルーター'))).toBe(false);
  });
});
