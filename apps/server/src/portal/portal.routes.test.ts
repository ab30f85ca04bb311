import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, createTestApp } from '../testing/test-app.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

async function home(options: { query?: string; headers?: Record<string, string> } = {}) {
  const response = await t.app.inject({ url: `/${options.query ?? ''}`, headers: options.headers ?? {} });
  expect(response.statusCode).toBe(200);
  return response;
}

describe('the public site at /', () => {
  it('Should show the team in English with <html lang="en"> by default', async () => {
    const response = await home();
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-language']).toBe('en');
    expect(response.body).toContain('<html lang="en">');
    expect(response.body).toContain('<h1>Test CSIRT</h1>');
    expect(response.body).toContain('<h2>Contact</h2>');
    expect(response.body).toContain('<a href="mailto:team@test-csirt.example">team@test-csirt.example</a>');
    expect(response.body).toContain('hreflang="ja"');
  });

  it('Should show the team in Japanese with <html lang="ja"> for ?lang=ja, and remember the choice', async () => {
    const response = await home({ query: '?lang=ja' });
    expect(response.headers['content-language']).toBe('ja');
    expect(response.body).toContain('<html lang="ja">');
    expect(response.body).toContain('<h1>テスト CSIRT</h1>');
    expect(response.body).toContain('<h2>連絡先</h2>');
    expect(response.body).toContain('電子メール');
    expect(String(response.headers['set-cookie'])).toMatch(/^renkei_lang=ja;.*HttpOnly/);
  });

  it('Should use the remembered language when the URL does not say', async () => {
    const response = await home({ headers: { cookie: 'renkei_lang=ja' } });
    expect(response.body).toContain('<html lang="ja">');
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it.each([
    ['ja-JP,ja;q=0.9,en;q=0.8', 'ja'],
    ['en-US,en;q=0.9', 'en'],
    ['fr-FR,ja;q=0.5', 'ja'],
    ['de', 'en'],
  ])('Should follow Accept-Language %s to %s', async (acceptLanguage, lang) => {
    const response = await home({ headers: { 'accept-language': acceptLanguage } });
    expect(response.body).toContain(`<html lang="${lang}">`);
    expect(response.headers.vary).toMatch(/Accept-Language/);
  });

  it('Should let ?lang= win over the cookie, and the cookie over Accept-Language', async () => {
    expect((await home({ query: '?lang=en', headers: { cookie: 'renkei_lang=ja', 'accept-language': 'ja' } })).body).toContain('<html lang="en">');
    expect((await home({ headers: { cookie: 'renkei_lang=en', 'accept-language': 'ja' } })).body).toContain('<html lang="en">');
  });

  it.each(['?lang=xx', '?lang=ja&lang=en', '?lang[]=ja', '?lang=%E2%80%AEja', `?lang=${'j'.repeat(5000)}`])(
    'Should ignore a nonsense language choice %#',
    async (query) => {
      const response = await home({ query, headers: { 'accept-language': 'en' } });
      expect(response.body).toContain('<html lang="en">');
      expect(response.headers['set-cookie']).toBeUndefined();
    },
  );

  it('Should carry no script at all, and load its styles from its own stylesheet', async () => {
    for (const query of ['', '?lang=ja']) {
      const { body } = await home({ query });
      expect(body).not.toMatch(/<script/i);
      expect(
        tagsOf(body)
          .flatMap((tag) => tag.attributes)
          .filter((name) => name.startsWith('on')),
      ).toEqual([]);
      expect(body).not.toMatch(/<style|style="/i);
      expect(body).toMatch(/<link rel="stylesheet" href="\/assets\/portal.css"\s*\/?>/);
    }
    const css = await t.app.inject({ url: '/assets/portal.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('Should answer HEAD like GET, for crawlers and monitors', async () => {
    const response = await t.app.inject({ method: 'HEAD', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
  });
});

/** Every tag in a page with its attribute names: injected markup shows up as a tag or attribute that does not belong. */
function tagsOf(page: string): { name: string; attributes: string[] }[] {
  return [...page.matchAll(/<([!/]?[A-Za-z][A-Za-z0-9]*)([^>]*)>/g)].map(([, name = '', rest = '']) => ({
    name: name.toLowerCase(),
    attributes: [...rest.replace(/"[^"]*"/g, '""').matchAll(/([^\s=]+)=/g)].map((match) => match[1]!.toLowerCase()),
  }));
}

const PAGE_TAGS = new Set([
  '!doctype',
  'html',
  'head',
  'meta',
  'title',
  'link',
  'body',
  'header',
  'nav',
  'a',
  'main',
  'section',
  'h1',
  'h2',
  'p',
  'dl',
  'dt',
  'dd',
  'footer',
]);
const PAGE_ATTRIBUTES = new Set(['lang', 'charset', 'name', 'content', 'rel', 'href', 'class', 'hreflang']);

describe('the public site with hostile organisation details', () => {
  let hostile: TestApp;
  beforeAll(async () => {
    hostile = await createTestApp();
    await hostile.database.db
      .updateTable('organisations')
      .set({
        name: '<script>alert(1)</script>"onmouseover=alert(2) x="',
        name_ja: '</title><script>alert(3)</script>',
        contact_email: '"onmouseover=alert(4)@evil.example',
        contact_phone: "'><img src=x onerror=alert(5)>",
        website: 'javascript:alert(6)',
      })
      .where('is_self', '=', true)
      .execute();
  });
  afterAll(() => hostile.close());

  it.each(['en', 'ja'])('Should render every detail escaped in %s, with no tag or attribute injected', async (lang) => {
    const { body, statusCode } = await hostile.app.inject({ url: `/?lang=${lang}` });
    expect(statusCode).toBe(200);
    expect(body).not.toMatch(/<script|<img/i);
    expect(body).not.toContain('"onmouseover=');
    expect(body).not.toContain('href="javascript:');
    for (const tag of tagsOf(body.replace(/<\/[a-z0-9]+>/gi, ''))) {
      expect(PAGE_TAGS.has(tag.name.replace('/', '')), tag.name).toBe(true);
      for (const attribute of tag.attributes) expect(PAGE_ATTRIBUTES.has(attribute), `${tag.name} ${attribute}`).toBe(true);
    }
    expect(body).toContain(lang === 'en' ? '&#60;script&#62;alert(1)&#60;/script&#62;&#34;onmouseover=alert(2)' : '&#60;/title&#62;&#60;script&#62;alert(3)');
    expect(body).toContain('mailto:&#34;onmouseover=alert(4)@evil.example');
    expect(body).toContain('&#39;&#62;&#60;img src=x onerror=alert(5)&#62;');
    // A website that is not http(s) is shown as text, never as a link.
    expect(body).toContain('<dd>javascript:alert(6)</dd>');
  });

  it('Should link a website only when it is an http(s) address', async () => {
    await hostile.database.db.updateTable('organisations').set({ website: 'https://csirt.example/contact?a=1&b="2"' }).where('is_self', '=', true).execute();
    const { body } = await hostile.app.inject({ url: '/?lang=en' });
    expect(body).toContain('<a href="https://csirt.example/contact?a=1&#38;b=&#34;2&#34;">');
  });
});
