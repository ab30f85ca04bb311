import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeInBrowser } from '../testing/browser.ts';

const watched = new WeakSet<Page>();

/** Opens a page and returns every CSP violation the browser reported while loading it. */
async function violationsOn(page: Page, url: string, ready: () => Promise<unknown>): Promise<string[]> {
  if (!watched.has(page)) {
    watched.add(page);
    // The server's tsconfig has no DOM types, so the page-side code is given as text.
    await page.addInitScript({
      content:
        "window.__violations = []; document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.effectiveDirective + ': ' + e.blockedURI + ' ' + e.sample));",
    });
  }
  const violations: string[] = [];
  const onConsole = (message: { type(): string; text(): string }) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) violations.push(message.text());
  };
  page.on('console', onConsole);
  try {
    await page.goto(url);
    await ready();
    // Violations also surface as events the page can see; collect those the console missed.
    const seen = await page.evaluate<string[]>('window.__violations ?? []');
    return [...violations, ...seen];
  } finally {
    page.off('console', onConsole);
  }
}

describeInBrowser('Content Security Policy in a real browser', (ctx) => {
  it('Should render the API docs page fully with no CSP violation', async () => {
    const { baseUrl, page } = ctx();
    const violations = await violationsOn(page, `${baseUrl}/api/docs`, async () => {
      await expect.poll(() => page.locator('.swagger-ui .info .title').innerText(), { timeout: 10_000 }).toContain('Renkei API');
      await expect.poll(() => page.locator('.opblock-summary-path').allInnerTexts()).toContain('/api/v1/health');
    });
    expect(violations).toEqual([]);
  });

  it('Should style the public site from its own stylesheet with no CSP violation', async () => {
    const { baseUrl, page } = ctx();
    const violations = await violationsOn(page, `${baseUrl}/?lang=en`, async () => {
      await expect.poll(() => page.evaluate<string>('getComputedStyle(document.body).marginTop')).toBe('0px');
    });
    expect(violations).toEqual([]);
  });

  it('Should load the staff app with no CSP violation', async () => {
    const { baseUrl, page } = ctx();
    const violations = await violationsOn(page, `${baseUrl}/app/`, () => page.waitForLoadState('networkidle'));
    expect(violations).toEqual([]);
  });
});
