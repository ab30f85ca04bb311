import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { systemContext } from '../../src/policy/actor.ts';
import { describeInBrowser } from '../../src/testing/browser.ts';

describeInBrowser('Lookup page in a real browser', (ctx) => {
  it('Should look up a pasted list with defanged forms and show each answer with its provenance', async () => {
    const { t, baseUrl, page } = ctx();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-lookup-browser-'));
    const file = path.join(dir, 'browser-ip2asn.tsv');
    fs.writeFileSync(file, '198.51.100.0\t198.51.100.255\t64500\tJP\tEXAMPLE-JP\n');
    await t.services.networkLookup.importIpData(systemContext('test'), file);
    fs.rmSync(dir, { recursive: true, force: true });
    const user = await t.createUser(['analyst']);

    await page.goto(`${baseUrl}/app/login`);
    await page.getByTestId('login-email').fill(user.email);
    await page.getByTestId('login-password').fill(user.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav-lookup').click();
    await page.getByTestId('lookup-items').fill('hxxp://198.51.100[.]7/login\n例え[.]jp\nnot-a-thing!');
    await expect.poll(() => page.getByTestId('lookup-submit').innerText()).toContain('3');
    await page.getByTestId('lookup-submit').click();
    await expect.poll(() => page.getByTestId('lookup-row').count()).toBe(3);
    const rows = page.getByTestId('lookup-row');
    const first = await rows.nth(0).innerText();
    expect(first).toContain('198.51.100.7');
    expect(first).toContain('AS64500');
    expect(first).toContain('ip2asn:browser-ip2asn.tsv');
    const second = await rows.nth(1).innerText();
    expect(second).toContain('例え.jp');
    expect(second).toContain('xn--r8jz45g.jp');
    expect(second).toContain('tld:.jp');
    expect(await rows.nth(2).getByTestId('lookup-error').innerText()).toBeTruthy();
  });
});
