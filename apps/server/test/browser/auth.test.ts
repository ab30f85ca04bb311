import { expect, it } from 'vitest';
import { totpCode, totpStep } from '../../src/accounts/totp.ts';
import { describeInBrowser } from '../../src/testing/browser.ts';

describeInBrowser('Staff app in a real browser: log in, TOTP, Japanese, log out', (ctx) => {
  it('Should log in, enrol TOTP, switch to Japanese, log out, and log in again with a TOTP code', async () => {
    const { t, baseUrl, page } = ctx();
    const user = await t.createUser(['analyst']);

    await page.goto(`${baseUrl}/app/`);
    await page.getByTestId('login-email').fill(user.email);
    await page.getByTestId('login-password').fill(user.password);
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('user-name').isVisible()).toBe(true);

    // Japanese, remembered for the user (not only in this browser).
    await page.getByTestId('lang-ja').click();
    await expect.poll(() => page.getByTestId('nav-settings').innerText()).toContain('設定');
    await expect
      .poll(async () => (await t.database.db.selectFrom('users').select('locale').where('id', '=', user.id).executeTakeFirstOrThrow()).locale)
      .toBe('ja');

    // Times are shown with their zone named.
    await page.getByTestId('nav-settings').click();
    await expect.poll(() => page.getByTestId('current-time').innerText()).toMatch(/UTC|GMT/);

    // Enrol TOTP from the secret the page shows.
    await page.getByTestId('totp-setup').click();
    const secret = (await page.getByTestId('totp-secret').innerText()).trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const step = totpStep(new Date());
    await page.getByTestId('totp-code').fill(totpCode(secret, step));
    await page.getByTestId('totp-enable').click();
    await expect.poll(() => page.getByTestId('totp-status').getAttribute('data-enabled')).toBe('true');

    await page.getByTestId('user-name').click();
    await page.getByTestId('logout').click();
    await expect.poll(() => page.getByTestId('login-email').isVisible()).toBe(true);

    // Back in, now with the second factor; the page is still Japanese.
    await page.getByTestId('login-email').fill(user.email);
    await page.getByTestId('login-password').fill(user.password);
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-totp').isVisible()).toBe(true);
    await page.getByTestId('login-totp').fill(totpCode(secret, step + 1));
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('user-name').isVisible()).toBe(true);
    expect(await page.getByTestId('nav-home').innerText()).toContain('ホーム');
  });
});
