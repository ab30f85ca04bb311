import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { INTAKE, insertDirectoryKey, makeKey, startSink } from '../../src/mail/mail-test-kit.ts';
import { describeInBrowser } from '../../src/testing/browser.ts';
import type { TestApp, TestUser } from '../../src/testing/test-app.ts';
import { agreeEmbargo, approve, caseWithVulnerability, draft, vendorAnswers, wholeMinuteAfter } from '../../src/vulnerabilities/advisories-test-kit.ts';
import { addSharedVendor, openCase, outsideOrganisationWithUser } from '../../src/vulnerabilities/vulnerabilities-test-kit.ts';

// The outbound relay: a loopback SMTP sink, so the vendors' notices and the early-release mail are queued and sent for real.
const sink = await startSink();
afterAll(() => sink.close());
// Screenshots to look at, outside the repository.
const shots = process.env.RENKEI_ADVISORY_SHOTS ?? '/tmp/shots-advisory';

const eventually = <T>(read: () => Promise<T> | T, options: { timeout?: number } = {}) => expect.poll(read, { timeout: 15_000, interval: 100, ...options });
const pwned = (page: Page) => page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned);
const img = '<img src=x onerror="window.__pwned=1">';

async function login(page: Page, baseUrl: string, user: TestUser, lang: 'ja' | 'en' = 'ja'): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${baseUrl}/app/login`);
  await page.getByTestId('login-email').fill(user.email);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-cases').waitFor();
  await page.getByTestId(`lang-${lang}`).click();
}

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/]).*/, (route) => route.abort());
  return context.newPage();
}

/** The advisory panel as one picture: the viewport grown to the page (a full-page shot repeats the fixed header). */
async function shoot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  await page.getByTestId('advisory-panel').scrollIntoViewIfNeeded();
  const height = await page.evaluate<number>('document.documentElement.scrollHeight');
  await page.setViewportSize({ width: 1280, height: Math.min(height, 9000) });
  await page.getByTestId('advisory-panel').screenshot({ path: path.join(shots, name) });
  await page.setViewportSize({ width: 1280, height: 800 });
}

let ready: Promise<void> | null = null;
/** The instance key (notices are signed) and the real worker that runs the outbox and the publish job, once per app. */
function prepare(t: TestApp): Promise<void> {
  ready ??= (async () => {
    await insertDirectoryKey(t.database, await makeKey(INTAKE), { email: INTAKE, instance: true });
    await t.services.jobs.startWorker({ concurrency: 1 });
  })();
  return ready;
}

async function staff(t: TestApp, roles: Parameters<TestApp['createUser']>[0]): Promise<TestUser> {
  const user = await t.createUser(roles);
  await t.database.db.updateTable('users').set({ time_zone: 'Asia/Tokyo' }).where('id', '=', user.id).execute();
  return user;
}

describeInBrowser(
  'The advisory in a real browser, in Japanese: drafted and revised in ja and en, previewed by a vendor, approved, published by the job',
  (ctx) => {
    it(
      'Should take the advisory from a first draft to publication with a public ID, and show another case’s vendor nothing',
      { timeout: 300_000 },
      async () => {
        const { t, baseUrl, page } = ctx();
        await prepare(t);
        const coordinator = await staff(t, ['coordinator']);
        const publisher = await staff(t, ['publisher']);
        const acme = await outsideOrganisationWithUser(t, 'Acme Networks');
        const globex = await outsideOrganisationWithUser(t, 'Globex Software');
        const { caseId, vulnerabilityId } = await caseWithVulnerability(t, coordinator, { credit: { name: '山田 花子', organisation: '例示大学' } });
        await vendorAnswers(t, coordinator, caseId, vulnerabilityId, acme);
        // Globex is a vendor on another case only.
        const other = await openCase(t, coordinator, 'Globex Switch');
        await addSharedVendor(t, coordinator, other.caseId, globex.organisationId);
        const caseUrl = `${baseUrl}/app/cases/${caseId}`;

        // 1. The coordinator makes the first draft from the case, in Japanese.
        await login(page, baseUrl, coordinator);
        await page.goto(caseUrl);
        await page.getByTestId('advisory-none').waitFor();
        await page.getByTestId('advisory-draft').click();
        await eventually(() => page.getByTestId('advisory-latest').getAttribute('data-number')).toBe('1');
        expect(await page.getByTestId('advisory-title-ja').inputValue()).toBe('Acme Router におけるクロスサイトスクリプティング');
        expect(await page.getByTestId('advisory-title-en').inputValue()).toBe('XSS in Acme Router');
        const serverBuilt = page.getByTestId('advisory-server-built-ja');
        expect(await serverBuilt.getByTestId('advisory-vendor-row').first().innerText()).toContain('該当製品あり');
        expect(await serverBuilt.getByTestId('advisory-cvss-table').innerText()).toContain('6.1');
        expect(await page.getByTestId('advisory-credit-ja').inputValue()).toContain('山田 花子');
        expect(await page.getByTestId('publication-blockers').innerText()).toContain('公表日時が合意されていません。');

        // 2. Impact in both languages, hostile markup kept as text, a reference: a javascript: address is refused here, before sending.
        await page.getByTestId('advisory-impact-ja').fill(`管理者のブラウザ上で任意のスクリプトが実行される可能性があります。${img}`);
        await page.getByTestId('advisory-impact-en').fill(`An arbitrary script may run in an administrator's browser. ${img}`);
        await page.getByTestId('advisory-reference-add-en').click();
        const reference = page.getByTestId('advisory-reference-en').last();
        await reference.getByTestId('advisory-reference-title').fill('Acme advisory');
        await reference.getByTestId('advisory-reference-url').fill('javascript:alert(1)');
        await page.getByTestId('advisory-note').fill('影響を追記');
        await page.getByTestId('advisory-save').click();
        await eventually(() => page.getByTestId('advisory-editor').innerText()).toContain('参考情報には http または https のアドレスを指定してください。');
        expect(await page.getByTestId('advisory-latest').getAttribute('data-number')).toBe('1');
        await reference.getByTestId('advisory-reference-url').fill('https://acme.example/security/2026-01');
        await page.getByTestId('advisory-save').click();
        await eventually(() => page.getByTestId('advisory-latest').getAttribute('data-number')).toBe('2');

        // 3. A second revision: the coordinator's notes in both languages.
        await page.getByTestId('advisory-coordinatorNotes-ja').fill('本件は JPCERT/CC が調整を行いました。');
        await page.getByTestId('advisory-coordinatorNotes-en').fill('JPCERT/CC coordinated this case.');
        await page.getByTestId('advisory-note').fill('補足を追記');
        await page.getByTestId('advisory-save').click();
        await eventually(() => page.getByTestId('advisory-latest').getAttribute('data-number')).toBe('3');
        expect(await page.getByTestId('advisory-impact-ja').inputValue()).toContain('任意のスクリプト');
        await shoot(page, 'advisory-editor-ja.png');
        await page.getByTestId('lang-en').click();
        await eventually(() => page.getByTestId('advisory-tab-edit').innerText()).toBe('Edit');
        await shoot(page, 'advisory-editor-en.png');
        await page.getByTestId('lang-ja').click();

        // 4. The revisions: who and when, and an old one read as it was saved.
        await page.getByTestId('advisory-tab-revisions').click();
        const rows = page.getByTestId('advisory-revision');
        await eventually(() => rows.count()).toBe(3);
        expect(await rows.first().innerText()).toContain('補足を追記');
        expect(await rows.first().innerText()).toMatch(/JST \(Asia\/Tokyo\)/);
        expect(await rows.first().innerText()).toContain('Test user');
        await page.locator('[data-testid="advisory-revision"][data-number="1"]').getByTestId('revision-view').click();
        const modal = page.getByTestId('revision-modal');
        await modal.getByTestId('advisory-doc-impact').waitFor();
        expect(await modal.getByTestId('advisory-doc-impact').innerText()).toContain('なし');
        await page.keyboard.press('Escape');
        await page.locator('[data-testid="advisory-revision"][data-number="2"]').getByTestId('revision-view').click();
        await eventually(() => page.getByTestId('revision-modal').getByTestId('advisory-doc-impact').innerText()).toContain(img);
        await page.keyboard.press('Escape');
        // A coordinator does not approve: that is the publisher's.
        expect(await page.getByTestId('revision-approve').count()).toBe(0);
        expect(await pwned(page)).toBeUndefined();

        // 5. The vendor of the case logs in and sees the preview, read-only, with only its own vendor row.
        const vendorPage = await newPage(page.context().browser()!);
        await login(vendorPage, baseUrl, acme.user);
        await vendorPage.goto(caseUrl);
        const preview = vendorPage.getByTestId('advisory-preview');
        await eventually(() => preview.getAttribute('data-number')).toBe('3');
        expect(await preview.getByTestId('advisory-doc-impact').innerText()).toContain('任意のスクリプト');
        expect(await preview.getByTestId('advisory-doc-notes').innerText()).toContain('JPCERT/CC が調整');
        expect(await preview.getByTestId('advisory-vendor-row').count()).toBe(1);
        expect(await vendorPage.getByTestId('advisory-editor').count()).toBe(0);
        expect(await vendorPage.getByTestId('release-early').count()).toBe(0);
        await preview.getByTestId('advisory-participant-document-tab-en').click();
        await eventually(() => preview.getByTestId('advisory-doc-notes').innerText()).toContain('JPCERT/CC coordinated this case.');
        expect(await preview.getByTestId('advisory-doc-references').innerText()).toContain('Acme advisory');
        expect(await pwned(vendorPage)).toBeUndefined();
        await preview.getByTestId('advisory-participant-document-tab-ja').click();
        await shoot(vendorPage, 'advisory-preview-vendor-ja.png');

        // 6. The vendor of another case opens the same address: not found, and nothing of the advisory.
        await login(vendorPage, baseUrl, globex.user);
        await vendorPage.goto(caseUrl);
        await eventually(() => vendorPage.getByTestId('error-alert').getAttribute('data-error-code')).toBe('case_not_found');
        expect(await vendorPage.getByTestId('error-alert').innerText()).toContain('その案件はないか、共有されていません。');
        expect(await vendorPage.getByTestId('advisory-panel').count()).toBe(0);
        expect(await vendorPage.locator('main').innerText()).not.toMatch(/Acme|任意のスクリプト/);
        await vendorPage.context().close();

        // 7. An embargo agreed (by the API: its own screens have their test) at the next whole minute at least 20 s away.
        const releaseAt = wholeMinuteAfter(new Date(Date.now() + 20_000), 1);
        await agreeEmbargo(t, coordinator, caseId, releaseAt);

        // 8. The publisher approves revision 3; the panel says what is approved and when the job runs, in Tokyo time and UTC.
        await login(page, baseUrl, publisher);
        await page.goto(caseUrl);
        await page.getByTestId('advisory-tab-revisions').click();
        await page.locator('[data-testid="advisory-revision"][data-number="3"]').getByTestId('revision-approve').click();
        await page.getByTestId('approve-confirm').click();
        await eventually(() => page.locator('[data-testid="advisory-revision"][data-number="3"]').getAttribute('data-state')).toBe('approved');
        expect(await page.getByTestId('publication-approved').innerText()).toContain('第3版');
        const due = await page.getByTestId('publication-due').innerText();
        const tokyo = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(releaseAt);
        expect(due).toContain(`${tokyo} JST (Asia/Tokyo)`);
        expect(due).toContain(`${releaseAt.toISOString().slice(11, 16)} UTC`);
        expect(await page.getByTestId('publication-ready').count()).toBe(1);
        expect(await page.getByTestId('release-early').count()).toBe(0); // a publisher approves; handlers release

        // 9. The real worker runs the publish job at the instant; the page, asking every 10 s, shows the public ID.
        await eventually(() => page.getByTestId('publication-public-id').count(), { timeout: 150_000 }).toBe(1);
        const publicId = await page.getByTestId('publication-public-id').innerText();
        expect(publicId).toMatch(/^JVN#\d{8}$/);
        await eventually(() => page.getByTestId('case-public-id').innerText()).toBe(publicId);
        expect(await page.getByTestId('case-status').innerText()).toBe('公表済み');
        const row = await t.database.db.selectFrom('case_events').select('detail').where('case_id', '=', caseId).where('kind', '=', 'published').execute();
        expect(row).toEqual([{ detail: { publicId, revision: 3, by: 'job' } }]);
        expect(await page.getByTestId('revision-approve').count()).toBe(0);
      },
    );

    it('Should release a case early only with a reason and after a confirmation, publishing it at once', { timeout: 120_000 }, async () => {
      const { t, baseUrl, page } = ctx();
      await prepare(t);
      const coordinator = await staff(t, ['coordinator']);
      const publisher = await staff(t, ['publisher']);
      const { caseId } = await caseWithVulnerability(t, coordinator, { product: 'Initech Printer', multiParty: true });
      await draft(t, coordinator, caseId);
      await agreeEmbargo(t, coordinator, caseId, wholeMinuteAfter(new Date(), 60 * 24 * 30));
      await approve(t, publisher, caseId, 1);

      await login(page, baseUrl, coordinator, 'en');
      await page.goto(`${baseUrl}/app/cases/${caseId}`);
      await eventually(() => page.getByTestId('publication-approved').innerText()).toContain('revision 1');
      // A fresh draft from the case is asked for twice; the approved revision stays what would be published.
      await page.getByTestId('advisory-impact-en').fill('Not saved');
      await page.getByTestId('advisory-redraft').click();
      await page.getByTestId('advisory-redraft-confirm').click();
      await eventually(() => page.getByTestId('advisory-latest').getAttribute('data-number')).toBe('2');
      expect(await page.getByTestId('advisory-impact-en').inputValue()).toBe('');
      await page.getByTestId('release-early').click();
      await page.getByTestId('release-confirm').click();
      await eventually(() => page.getByTestId('release-modal').innerText()).toContain('A reason is required.');
      await page.keyboard.press('Escape');
      // Cancelled: nothing happened.
      expect(await page.getByTestId('publication-state').getAttribute('data-published')).toBe('false');
      await page.getByTestId('release-early').click();
      await page.getByTestId('release-reason').fill(`Exploitation seen in the wild ${img}`);
      await page.getByTestId('release-confirm').click();
      await eventually(() => page.getByTestId('publication-public-id').innerText()).toMatch(/^JVNVU#\d{8}$/);
      expect(await page.getByTestId('case-status').textContent()).toBe('Published');
      expect(await page.getByTestId('advisory-tab-edit').count()).toBe(0);
      // The editor gave way to the published text.
      await eventually(() => page.getByTestId('advisory-team-preview').getByTestId('advisory-doc-title').innerText()).toBe('XSS in Initech Printer');
      await shoot(page, 'advisory-published-en.png');
      expect(await pwned(page)).toBeUndefined();
    });
  },
  { env: { RENKEI_INTAKE_ADDRESS: INTAKE, RENKEI_SMTP_RELAY: sink.url } },
);
