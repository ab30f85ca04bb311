import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { INTAKE, insertDirectoryKey, makeKey, startSink } from '../../src/mail/mail-test-kit.ts';
import { systemContext } from '../../src/policy/actor.ts';
import { describeInBrowser } from '../../src/testing/browser.ts';
import type { TestUser } from '../../src/testing/test-app.ts';
import { addSharedVendor, openCase, outsideOrganisationWithUser } from '../../src/vulnerabilities/vulnerabilities-test-kit.ts';

// The outbound relay: a loopback SMTP sink, so sharing the case with a vendor queues and sends its notice for real.
const sink = await startSink();
afterAll(() => sink.close());
// Screenshots to look at (RENKEI_SCREENSHOTS names another folder); never committed.
const screenshots = process.env.RENKEI_SCREENSHOTS ?? path.resolve(import.meta.dirname, '../../../../test-results');
const DAY = 86_400_000;

const eventually = <T>(read: () => Promise<T> | T, options: { timeout?: number } = {}) => expect.poll(read, { timeout: 15_000, interval: 100, ...options });
const pwned = (page: Page) => page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned);
const img = '<img src=x onerror="window.__pwned=1">';

async function login(page: Page, baseUrl: string, user: TestUser): Promise<void> {
  await page.goto(`${baseUrl}/app/login`);
  await page.getByTestId('login-email').fill(user.email);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-vendor-products').waitFor();
  await page.getByTestId('lang-ja').click();
}

async function shoot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshots, { recursive: true });
  const height = await page.evaluate<number>('document.documentElement.scrollHeight');
  await page.setViewportSize({ width: 1280, height: Math.min(height, 6000) });
  await page.screenshot({ path: path.join(screenshots, name) });
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** Picks an option of a Mantine Select by its visible text. */
async function choose(page: Page, testId: string, option: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

describeInBrowser(
  'The coordinator’s back office in a real browser, in Japanese: registry → proposals → contact attempts → unreachable list → dates',
  (ctx) => {
    it(
      'Should propose registry vendors with reasons on a new case, add one, chase it until unreachable, and list it with the case dates',
      { timeout: 180_000 },
      async () => {
        const { t, baseUrl, page } = ctx();
        const db = t.database.db;
        const system = systemContext('test');
        await insertDirectoryKey(t.database, await makeKey(INTAKE), { email: INTAKE, instance: true });
        await t.services.jobs.startWorker({ concurrency: 1 });
        const coordinator = await t.createUser(['coordinator']);
        await db.updateTable('users').set({ time_zone: 'Asia/Tokyo' }).where('id', '=', coordinator.id).execute();
        const acme = await outsideOrganisationWithUser(t, 'Acme Networks');
        const globex = await outsideOrganisationWithUser(t, 'Globex Software');
        await outsideOrganisationWithUser(t, 'Partner CERT', { kind: 'csirt', role: 'partner' });
        const year = new Date().getUTCFullYear();
        await t.services.vulnerabilities.importCvePool(system, `CVE-${year}-90001\n`);
        // A product to remove, and two published cases for the quarters' medians.
        const doomed = await t.request(coordinator, {
          method: 'POST',
          url: '/api/v1/vendor-products',
          payload: { organisationId: globex.organisationId, name: 'Globex Legacy Tool' },
        });
        expect(doomed.statusCode).toBe(201);
        for (const [published, days] of [
          [new Date(Date.now() - 40 * DAY), 30],
          [new Date(Date.now() - 30 * DAY), 50],
        ] as const) {
          const { caseId } = await openCase(t, coordinator, `Published ${days}`);
          await addSharedVendor(t, coordinator, caseId, acme.organisationId);
          await db
            .updateTable('case_participants')
            .set({ contact_started_at: new Date(published.getTime() - days * DAY) })
            .where('case_id', '=', caseId)
            .execute();
          await db.updateTable('vulnerability_cases').set({ status: 'published', published_at: published }).where('id', '=', caseId).execute();
        }

        // 1. The registry, in Japanese: a bad CPE is refused with its code translated and the entry named; then the products.
        await login(page, baseUrl, coordinator);
        await page.getByTestId('nav-vendor-products').click();
        await page.locator('[data-testid="product-row"][data-name="Globex Legacy Tool"]').waitFor();
        await page.getByTestId('product-add').click();
        await page.getByTestId('product-vendor').fill('Acme');
        await page.getByRole('option', { name: 'Acme Networks', exact: true }).click();
        await page.getByTestId('product-name-input').fill('Acme Router');
        await page.getByTestId('product-cpes').fill(`cpe:2.3:h:acme:router:*:*:*:*:*:*:*:*\ncpe:2.3:x:acme:${img}`);
        await page.getByTestId('product-keywords').fill('ルーター, router');
        await page.getByTestId('product-save').click();
        const refused = page.getByTestId('product-form').getByTestId('error-alert');
        await eventually(() => refused.getAttribute('data-error-code')).toBe('invalid_cpe');
        expect(await refused.innerText()).toContain('CPE 名が CPE 2.3（または 2.2 URI）として正しくありません。');
        expect(await refused.innerText()).toContain('cpes[1]');
        // More entries than the server takes, pasted: refused in the form, before any request.
        await page.getByTestId('product-cpes').fill(Array.from({ length: 201 }, (_, i) => `cpe:2.3:a:acme:p${i}:*:*:*:*:*:*:*:*`).join('\n'));
        await page.getByTestId('product-save').click();
        await eventually(() => page.getByTestId('product-list-problem').innerText()).toBe('CPE 2.3 名: 最大 200 件までです。');
        await page.getByTestId('product-cpes').fill('cpe:2.3:h:acme:router:*:*:*:*:*:*:*:*');
        await page.getByTestId('product-save').click();
        const acmeRow = page.locator('[data-testid="product-row"][data-name="Acme Router"]');
        await eventually(() => acmeRow.count()).toBe(1);
        expect(await acmeRow.getByTestId('product-vendor-name').innerText()).toBe('Acme Networks');
        expect(await acmeRow.getByTestId('product-cpe-list').innerText()).toBe('cpe:2.3:h:acme:router:*:*:*:*:*:*:*:*');

        await page.getByTestId('product-add').click();
        await page.getByTestId('product-vendor').fill('Globex');
        await page.getByRole('option', { name: 'Globex Software', exact: true }).click();
        await page.getByTestId('product-name-input').fill('Globex Web Console');
        await page.getByTestId('product-purls').fill('pkg:npm/globex-console');
        await page.getByTestId('product-save').click();
        const globexRow = page.locator('[data-testid="product-row"][data-name="Globex Web Console"]');
        await eventually(() => globexRow.count()).toBe(1);
        // The same name again for the same vendor: the server's conflict, in words.
        await page.getByTestId('product-add').click();
        await page.getByTestId('product-vendor').fill('Globex');
        await page.getByRole('option', { name: 'Globex Software', exact: true }).click();
        await page.getByTestId('product-name-input').fill('Globex Web Console');
        await page.getByTestId('product-save').click();
        const conflict = page.getByTestId('product-form').getByTestId('error-alert');
        await eventually(() => conflict.getAttribute('data-error-code')).toBe('vendor_product_exists');
        expect(await conflict.innerText()).toContain('この開発者には同じ名前の製品が既にあります。');
        await page.keyboard.press('Escape');
        await eventually(() => page.getByTestId('product-form').count()).toBe(0);
        // Edited: the CWE the finder will name becomes one of its keywords.
        await globexRow.getByTestId('product-edit').click();
        await page.getByTestId('product-keywords').fill('CWE-79, 管理画面');
        await page.getByTestId('product-save').click();
        await eventually(() => globexRow.innerText()).toContain('CWE-79');
        expect(await globexRow.getByTestId('product-purl-list').innerText()).toBe('pkg:npm/globex-console');
        // Removed, on the second click.
        const legacy = page.locator('[data-testid="product-row"][data-name="Globex Legacy Tool"]');
        await legacy.getByTestId('product-delete').click();
        await legacy.getByTestId('product-delete').click();
        await eventually(() => legacy.count()).toBe(0);
        await shoot(page, 'back-office-registry-ja.png');

        // 2. A finder's report names the product and its developer; accepted, the case gets proposals with reasons.
        const filed = await t.request(coordinator, {
          method: 'POST',
          url: '/api/v1/vulnerability-reports',
          payload: {
            productName: 'Acme Router',
            productVersion: '2.1',
            developerName: 'Acme Networks',
            vulnerabilityType: 'CWE-79',
            description: '管理画面のホスト名欄に格納型XSSがあります。',
            finder: { name: '山田 花子', email: 'hanako@finder.example', language: 'ja' },
          },
        });
        expect(filed.statusCode).toBe(201);
        const accepted = await t.request(coordinator, {
          method: 'POST',
          url: `/api/v1/vulnerability-reports/${filed.json<{ id: string }>().id}/accept`,
          payload: { title: 'Stored XSS in Acme Router', titleJa: 'Acme ルーターにおける格納型XSS' },
        });
        expect(accepted.statusCode).toBe(201);
        const { id: caseId, reference } = accepted.json<{ id: string; reference: string }>();
        for (const title of ['Stored XSS in the host name field', 'CSRF in the settings page']) {
          const created = await t.request(coordinator, { method: 'POST', url: `/api/v1/cases/${caseId}/vulnerabilities`, payload: { title } });
          expect(created.statusCode).toBe(201);
        }
        await page.goto(`${baseUrl}/app/cases/${caseId}`);
        const acmeProposal = page.locator('[data-testid="proposal"][data-name="Acme Networks"]');
        const globexProposal = page.locator('[data-testid="proposal"][data-name="Globex Software"]');
        await acmeProposal.waitFor();
        expect(await acmeProposal.locator('[data-testid="proposal-reason"][data-kind="product_name"]').count()).toBe(1);
        expect(await acmeProposal.locator('[data-testid="proposal-reason"][data-kind="vendor_name"]').count()).toBe(1);
        expect(await acmeProposal.innerText()).toContain('製品名');
        expect(await globexProposal.locator('[data-testid="proposal-reason"][data-kind="keyword"]').first().innerText()).toContain('CWE-79');
        await acmeProposal.getByTestId('proposal-add').click();
        const acmeParticipant = page.locator('[data-testid="participant-row"][data-name="Acme Networks"]');
        await acmeParticipant.waitFor();
        await eventually(() => acmeProposal.count()).toBe(0);
        expect(await globexProposal.count()).toBe(1);

        // 3. The CVE pool: its one ID given to the first vulnerability; then the pool says it is empty.
        await page.getByTestId('cve-assign').first().click();
        await eventually(() => page.getByTestId('cve-id').first().innerText()).toBe(`CVE-${year}-90001`);
        await eventually(() => page.getByTestId('cve-pool-empty').count()).toBe(1);
        expect(await page.getByTestId('cve-pool-empty').innerText()).toContain('プールに未使用の CVE 番号がありません。');
        expect(await page.getByTestId('cve-assign').isDisabled()).toBe(true);

        // 4. A partner coordinator (a CSIRT) added beside the vendor.
        await page.getByTestId('participant-search').fill('Partner');
        await page.locator('[data-testid="participant-result"][data-name="Partner CERT"]').getByTestId('participant-add').click();
        const partnerRow = page.locator('[data-testid="participant-row"][data-name="Partner CERT"]');
        await partnerRow.waitFor();
        expect(await partnerRow.innerText()).toContain('調整機関');
        expect(await partnerRow.getByTestId('participant-attempts').count()).toBe(0);

        // 5. The vendor shared, then chased: one bounced mail, declared unreachable, announced on the public list.
        await acmeParticipant.getByTestId('participant-share').click();
        await eventually(() => acmeParticipant.getByTestId('participant-shared').innerText()).toMatch(/JST \(Asia\/Tokyo\)/);
        await acmeParticipant.getByTestId('participant-attempts').click();
        const drawer = page.getByTestId('attempts-view');
        await drawer.getByTestId('attempts-empty').waitFor();
        expect(await drawer.getByTestId('declare-unreachable').isDisabled()).toBe(true);
        // A date without its time is refused in the form; nothing is recorded.
        await drawer.getByTestId('attempt-date').fill('2026-01-01');
        await drawer.getByTestId('attempt-submit').click();
        await eventually(() => drawer.getByTestId('attempt-form').innerText()).toContain('日付と時刻を両方入力するか、両方空欄にしてください。');
        expect(await drawer.getByTestId('attempt-row').count()).toBe(0);
        await drawer.getByTestId('attempt-date').fill('');
        await choose(page, 'attempt-outcome', '不達');
        await drawer.getByTestId('attempt-note-input').fill(`550 5.1.1 user unknown ${img}`);
        await drawer.getByTestId('attempt-submit').click();
        const attemptRow = drawer.getByTestId('attempt-row');
        await eventually(() => attemptRow.count()).toBe(1);
        expect(await attemptRow.getAttribute('data-outcome')).toBe('bounced');
        expect(await attemptRow.getByTestId('attempt-note').innerText()).toBe(`550 5.1.1 user unknown ${img}`);
        expect(await drawer.getByTestId('procedure-attempts').innerText()).toBe('1 回記録');
        await drawer.getByTestId('declare-unreachable').click();
        await eventually(() => drawer.getByTestId('procedure-declared').innerText()).toMatch(/JST \(Asia\/Tokyo\)/);
        await drawer.getByTestId('announce-unreachable').click();
        await eventually(() => drawer.getByTestId('procedure-announced').innerText()).toMatch(/JST \(Asia\/Tokyo\)/);
        await eventually(() => drawer.getByTestId('procedure-publishable').innerText()).toMatch(/JST \(Asia\/Tokyo\)/);
        await shoot(page, 'back-office-attempts-ja.png');
        await page.keyboard.press('Escape');
        await eventually(() => acmeParticipant.innerText()).toContain('連絡不能');
        await shoot(page, 'back-office-case-ja.png');

        // 6. The unreachable developers' list.
        await page.getByTestId('nav-unreachable').click();
        const listed = page.locator('[data-testid="unreachable-row"][data-name="Acme Networks"]');
        await listed.waitFor();
        expect(await listed.innerText()).toContain(reference);
        expect(await listed.getByTestId('unreachable-attempts').innerText()).toBe('1');
        expect(await listed.getByTestId('unreachable-announced').innerText()).toMatch(/JST \(Asia\/Tokyo\)/);
        await shoot(page, 'back-office-unreachable-ja.png');

        // 7. The dates dashboard: the open case with its days, the medians per quarter as a chart and a table, the CSV.
        await page.getByTestId('nav-case-dates').click();
        const row = page.locator(`[data-testid="dashboard-row"][data-reference="${reference}"]`);
        await row.waitFor();
        expect(await row.getByTestId('dashboard-elapsed').innerText()).toBe('0 日');
        await page.getByTestId('dashboard-chart').locator('svg').waitFor();
        expect(await page.getByTestId('quarter-row').count()).toBeGreaterThan(0);
        const csvHref = await page.getByTestId('dashboard-csv-cases').getAttribute('href');
        const csv = await page.request.get(`${baseUrl}${csvHref}`);
        expect(csv.headers()['content-type']).toContain('text/csv');
        expect(await csv.text()).toContain(reference);
        await shoot(page, 'back-office-dates-ja.png');
        expect(await pwned(page)).toBeUndefined();

        // 8. A vendor's user keeps its own organisation's products: it sees no other vendor's and adds one without picking a vendor.
        const vendorContext = await page
          .context()
          .browser()!
          .newContext({ viewport: { width: 1280, height: 800 } });
        await vendorContext.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/]).*/, (route) => route.abort());
        const vendorPage = await vendorContext.newPage();
        await login(vendorPage, baseUrl, acme.user);
        expect(await vendorPage.getByTestId('nav-unreachable').count()).toBe(0);
        await vendorPage.getByTestId('nav-vendor-products').click();
        await vendorPage.locator('[data-testid="product-row"][data-name="Acme Router"]').waitFor();
        expect(await vendorPage.locator('main').innerText()).not.toContain('Globex');
        await vendorPage.getByTestId('product-add').click();
        expect(await vendorPage.getByTestId('product-vendor').count()).toBe(0);
        await vendorPage.getByTestId('product-name-input').fill('Acme Switch');
        await vendorPage.getByTestId('product-purls').fill('pkg:github/acme/switch-firmware');
        await vendorPage.getByTestId('product-save').click();
        const own = vendorPage.locator('[data-testid="product-row"][data-name="Acme Switch"]');
        await eventually(() => own.count()).toBe(1);
        expect(await own.getByTestId('product-vendor-name').innerText()).toBe('Acme Networks');
        await vendorContext.close();

        // 9. The same pages in English, to look at.
        await page.getByTestId('lang-en').click();
        await eventually(() => page.getByTestId('dashboard-quarters').innerText()).toContain('Median days to publication per fiscal quarter');
        await shoot(page, 'back-office-dates-en.png');
        await page.getByTestId('nav-vendor-products').click();
        await page.locator('[data-testid="product-row"][data-name="Acme Router"]').waitFor();
        await shoot(page, 'back-office-registry-en.png');
        await page.goto(`${baseUrl}/app/cases/${caseId}`);
        await page.getByTestId('proposals-panel').waitFor();
        await shoot(page, 'back-office-case-en.png');
        expect(await pwned(page)).toBeUndefined();
      },
    );
  },
  { env: { RENKEI_INTAKE_ADDRESS: INTAKE, RENKEI_SMTP_RELAY: sink.url } },
);
