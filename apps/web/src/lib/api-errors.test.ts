import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import en from '../locales/en.json';
import ja from '../locales/ja.json';
import { API_ERROR_CODES, describeError } from './api-errors.ts';
import { ApiError } from './api.ts';

async function translator(lng: 'en' | 'ja') {
  const instance = i18next.createInstance();
  await instance.init({ resources: { en: { translation: en }, ja: { translation: ja } }, lng, fallbackLng: false, interpolation: { escapeValue: false } });
  return instance.t;
}

describe('describeError', () => {
  it('Should have a Japanese and an English text for every code it translates', () => {
    const codes = (locale: typeof en) => Object.keys(locale.errors.codes);
    expect(API_ERROR_CODES.filter((code) => !codes(en).includes(code))).toEqual([]);
    expect(API_ERROR_CODES.filter((code) => !codes(ja).includes(code))).toEqual([]);
  });

  it('Should translate a known code into the language of the page', async () => {
    const error = new ApiError(401, 'totp_invalid', 'Invalid TOTP code');
    expect(describeError(error, await translator('en')).message).toBe(en.errors.codes.totp_invalid);
    expect(describeError(error, await translator('ja')).message).toBe(ja.errors.codes.totp_invalid);
  });

  it("Should keep the server's words on the value at fault under the translation", async () => {
    const error = new ApiError(400, 'invalid_network', '192.0.2.1/24 has host bits set; did you mean 192.0.2.0/24?');
    const described = describeError(error, await translator('ja'));
    expect(described).toMatchObject({ message: ja.errors.codes.invalid_network, detail: error.message, code: 'invalid_network' });
  });

  it("Should show the server's message for a code it does not know, and a generic text for anything else", async () => {
    const t = await translator('ja');
    expect(describeError(new ApiError(409, 'feed_source_exists', 'A feed source of that name exists', 'req-1'), t)).toEqual({
      message: 'A feed source of that name exists',
      detail: null,
      code: 'feed_source_exists',
      requestId: 'req-1',
    });
    expect(describeError(new Error('boom'), t).message).toBe(ja.errors.generic);
  });
});
