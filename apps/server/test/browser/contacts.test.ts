import { expect, it } from 'vitest';
import { makeKey } from '../../src/contacts/test-keys.ts';
import { systemContext } from '../../src/policy/actor.ts';
import { describeInBrowser } from '../../src/testing/browser.ts';

describeInBrowser('Directory in a real browser: search, organisation page, key import', (ctx) => {
  it('Should find an ISP by AS number, show its networks and key health, and import a key for it', async () => {
    const { t, baseUrl, page } = ctx();
    const user = await t.createUser(['coordinator']);
    const system = systemContext('test');
    const org = await t.services.contacts.createOrganisation(system, { name: 'Browser ISP', nameJa: 'ブラウザ ISP', kind: 'isp', contactEmail: 'noc@browser-isp.example', tlpCeiling: 'green' });
    await t.services.contacts.addNetwork(system, org.id, { value: 'AS64511', abuseEmail: 'abuse@browser-isp.example' });
    await t.services.contacts.importKeys(system, { armored: (await makeKey({ email: 'noc@browser-isp.example', expiresInDays: 10 })).publicArmored, organisationId: org.id });
    await t.services.contacts.createPerson(system, org.id, { name: 'Hanako Abuse', email: 'hanako@browser-isp.example' });
    // What mail records from a DSN bounce (its table; the mail tests cover the DSN itself).
    await t.database.db.insertInto('mail_address_status').values({ address: 'hanako@browser-isp.example', last_status: 'bounced', last_detail: '5.1.1 smtp; 550 User unknown', bounce_count: 2 }).execute();

    await page.goto(`${baseUrl}/app/login`);
    await page.getByTestId('login-email').fill(user.email);
    await page.getByTestId('login-password').fill(user.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav-contacts').click();
    await page.getByTestId('directory-search').fill('AS64511');
    await page.getByTestId('directory-submit').click();
    await expect.poll(() => page.getByTestId('directory-result').allInnerTexts()).toEqual(['Browser ISP']);
    await page.getByTestId('directory-result').click();

    await expect.poll(() => page.getByTestId('organisation-name').innerText()).toBe('Browser ISP');
    expect(await page.getByTestId('networks').innerText()).toContain('AS64511');
    expect(await page.getByTestId('tlp-ceiling').innerText()).toContain('TLP:GREEN');
    expect(await page.getByTestId('key-health-expires_soon').count()).toBe(1);
    const bounce = page.getByTestId('people').getByTestId('delivery-status');
    expect(await bounce.getAttribute('data-status')).toBe('bounced');
    expect(await bounce.textContent()).toBe('Bounced (2×)');
    expect(await page.getByTestId('delivery-status').count()).toBe(1);

    const pasted = await makeKey({ email: 'someone@elsewhere.example' });
    await page.getByTestId('import-key-for-organisation').click();
    await page.getByTestId('key-armored').fill(pasted.publicArmored);
    await page.getByTestId('key-import-submit').click();
    await expect.poll(() => page.getByTestId('key-import-result').isVisible()).toBe(true);
    expect(await page.getByTestId('key-import').getByTestId('key-health-address_mismatch').count()).toBe(1);

    // A private key pasted by mistake is stopped in the page before it is sent.
    await page.getByTestId('key-armored').fill(pasted.privateArmored);
    expect(await page.getByTestId('key-import-submit').isDisabled()).toBe(true);

    // The same page in Japanese.
    await page.getByTestId('lang-ja').click();
    await expect.poll(() => page.getByTestId('nav-contacts').innerText()).toContain('連絡先');
    await page.goBack();
    await expect.poll(() => page.getByTestId('people').getByTestId('delivery-status').textContent()).toBe('不達（2 回）');
  });
});
