import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { INTAKE, insertDirectoryKey, makeKey, startSink } from '../../src/mail/mail-test-kit.ts';
import { describeInBrowser } from '../../src/testing/browser.ts';
import type { TestApp, TestUser } from '../../src/testing/test-app.ts';
import { wholeMinuteAfter } from '../../src/vulnerabilities/advisories-test-kit.ts';
import { outsideOrganisationWithUser } from '../../src/vulnerabilities/vulnerabilities-test-kit.ts';

// Issue 11's "done means", walked in one browser test, in Japanese: a finder's report on the public form
// → accepted → three vendors proposed by the registry and added → a scored vulnerability → an embargo
// proposed, accepted by the vendors and agreed → two vendors answer, the third never does and is declared
// unreachable → the advisory drafted, previewed by a vendor, approved → published by the real job at the
// instant → the unreachable vendor listed. The API is used only for set-up that is not part of the flow.

// The outbound relay: a loopback SMTP sink, so the finder's notice and the vendors' notices are sent for real.
const sink = await startSink();
afterAll(() => sink.close());
// Screenshots to look at, outside the repository.
const shots = process.env.RENKEI_FLOW_SHOTS ?? '/tmp/shots-flow';

/** Waits for what a click leads to: the two cores are shared, so an answer and its refetch may take a few seconds. */
const eventually = <T>(read: () => Promise<T> | T, options: { timeout?: number } = {}) => expect.poll(read, { timeout: 20_000, interval: 100, ...options });
const pwned = (page: Page) => page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned);
const img = '<img src=x onerror="window.__pwned=1">';
const started = Date.now();
const log = (step: string) => console.log(`[early-warning flow] ${((Date.now() - started) / 1000).toFixed(1)} s: ${step}`);

const VENDORS = { sakura: 'Sakura Networks', momiji: 'Momiji Software', kaede: 'Kaede Systems', hinoki: 'Hinoki Printing' } as const;

async function newPage(browser: Browser, options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  await context.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/]).*/, (route) => route.abort());
  return context.newPage();
}

async function login(page: Page, baseUrl: string, user: TestUser): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${baseUrl}/app/login`);
  await page.getByTestId('login-email').fill(user.email);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-cases').waitFor();
  await page.getByTestId('lang-ja').click();
}

/** Picks an option of a Mantine Select by its visible text. */
async function choose(page: Page, testId: string, option: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** The whole page as one picture: the viewport grown to the page (a full-page shot repeats the app's fixed header mid-page). */
async function shoot(page: Page, name: string, testId?: string): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  const height = await page.evaluate<number>('document.documentElement.scrollHeight');
  await page.setViewportSize({ width: 1280, height: Math.min(height, 9000) });
  const target = testId ? page.getByTestId(testId) : page;
  await target.screenshot({ path: path.join(shots, name) });
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function staff(t: TestApp, roles: Parameters<TestApp['createUser']>[0]): Promise<TestUser> {
  const user = await t.createUser(roles);
  await t.database.db.updateTable('users').set({ time_zone: 'Asia/Tokyo' }).where('id', '=', user.id).execute();
  return user;
}

/** An instant as Tokyo's calendar and clock have it, the way the embargo form takes it. */
function inTokyo(at: Date): { date: string; time: string } {
  const part = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', ...options }).format(at);
  return { date: part({ year: 'numeric', month: '2-digit', day: '2-digit' }), time: part({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }) };
}

/**
 * Set-up outside the flow: the team, four vendors with a user each, and the product-developer registry
 * (Sakura makes the router, Momiji the embedded web server in it, Kaede sells the router under its own
 * name; Hinoki's printer has nothing to do with it).
 */
async function world(t: TestApp) {
  await insertDirectoryKey(t.database, await makeKey(INTAKE), { email: INTAKE, instance: true });
  await t.services.jobs.startWorker({ concurrency: 1 });
  const coordinator = await staff(t, ['coordinator']);
  const publisher = await staff(t, ['publisher']);
  const sakura = await outsideOrganisationWithUser(t, VENDORS.sakura);
  const momiji = await outsideOrganisationWithUser(t, VENDORS.momiji);
  const kaede = await outsideOrganisationWithUser(t, VENDORS.kaede);
  const hinoki = await outsideOrganisationWithUser(t, VENDORS.hinoki);
  const products = [
    { organisationId: sakura.organisationId, name: 'RT-500', cpes: ['cpe:2.3:h:sakura:rt-500:*:*:*:*:*:*:*:*'], keywords: ['ルーター'] },
    { organisationId: momiji.organisationId, name: 'tinyhttpd', purls: ['pkg:github/momiji/tinyhttpd'], keywords: ['tinyhttpd'] },
    { organisationId: kaede.organisationId, name: 'Kaede Gateway KG-5', keywords: ['OEM RT-500'] },
    { organisationId: hinoki.organisationId, name: 'Hinoki Printer Driver', keywords: ['printer', 'プリンタ'] },
  ];
  for (const product of products) {
    const created = await t.request(coordinator, { method: 'POST', url: '/api/v1/vendor-products', payload: product });
    expect(created.statusCode).toBe(201);
  }
  return { coordinator, publisher, sakura, momiji, kaede, hinoki };
}

/** 1. The finder, in a browser with JavaScript off, files the report on the public form; the follow-up link. */
async function finderFiles(finder: Page): Promise<{ reference: string; followUrl: string }> {
  const field = (id: string) => finder.locator(`#${id}`);
  await field('productName').fill('RT-500');
  await field('productVersion').fill('2.1.0 〜 2.3.2');
  await field('developerName').fill(VENDORS.sakura);
  await field('cwe').fill('CWE-78');
  await field('description').fill(
    `RT-500 の管理画面（組み込みの tinyhttpd 1.4）で、診断ページのホスト名欄に入力した文字列がシェルに渡されます。` +
      `同じファームウェアが OEM RT-500 として他社からも販売されています。${img}`,
  );
  await field('reproduction').fill('1. 管理者でログインする\n2. 診断ページのホスト名に `;id` を入れる\n3. 応答に uid= が表示される');
  await field('discoveredOn').fill('2026-11-20');
  await finder.locator('#developerContacted').selectOption('no');
  await field('disclosurePlans').fill('調整後の公表を希望します。');
  await field('creditName').fill('山田 花子');
  await field('creditOrganisation').fill('例示大学');
  await field('finderName').fill('山田 花子');
  await field('email').fill('hanako@finder.example');
  await finder.locator('#language').selectOption('ja');
  await finder.locator('form button[type="submit"]').click();
  await finder.getByRole('heading', { name: '脆弱性関連情報の届出を受け付けました' }).waitFor();
  const reference = await finder.locator('section strong').first().innerText();
  expect(reference).toMatch(/^VR-\d{4}-\d{5}$/);
  const href = await finder.locator('a[href^="/vulnerability-report/status"]').getAttribute('href');
  expect(href).toContain('token=');
  return { reference, followUrl: new URL(href!, finder.url()).toString() };
}

/** 2. The coordinator accepts it from the queue as a multi-party case; the case page's address. */
async function coordinatorAccepts(page: Page, reference: string): Promise<string> {
  await page.getByTestId('nav-vulnerability-reports').click();
  const row = page.getByTestId('vreport-row').filter({ hasText: reference });
  await eventually(() => row.count()).toBe(1);
  await row.getByTestId('vreport-open').click();
  await eventually(() => page.getByTestId('vreport-reference').innerText()).toContain(reference);
  expect(await page.getByTestId('vreport-description').innerText()).toContain(img);
  expect(await page.getByTestId('vreport-credit').innerText()).toContain('例示大学');
  await page.getByTestId('vreport-accept').click();
  await page.getByTestId('accept-title-ja').fill('RT-500 における OS コマンドインジェクションの脆弱性');
  await page.getByTestId('accept-title').fill('OS command injection in RT-500');
  await page.getByTestId('accept-multi-party').check();
  await page.getByTestId('accept-confirm').click();
  await eventually(() => page.getByTestId('case-reference').innerText()).toMatch(/^VU-\d{4}-\d{5}$/);
  return page.url();
}

/** 3. The registry's three proposals, with their reasons (and not the printer's vendor): each added with one click. */
async function addProposedVendors(page: Page): Promise<void> {
  const proposal = (name: string) => page.locator(`[data-testid="proposal"][data-name="${name}"]`);
  const reasons = (name: string, kind: string) => proposal(name).locator(`[data-testid="proposal-reason"][data-kind="${kind}"]`);
  await eventually(() => page.getByTestId('proposal').count()).toBe(3);
  expect(await reasons(VENDORS.sakura, 'product_name').count()).toBe(1);
  expect(await reasons(VENDORS.sakura, 'vendor_name').count()).toBe(1);
  expect(await reasons(VENDORS.momiji, 'keyword').innerText()).toContain('tinyhttpd');
  expect(await reasons(VENDORS.kaede, 'keyword').innerText()).toContain('OEM RT-500');
  expect(await proposal(VENDORS.hinoki).count()).toBe(0);
  for (const name of [VENDORS.sakura, VENDORS.momiji, VENDORS.kaede]) {
    await proposal(name).getByTestId('proposal-add').click();
    await page.locator(`[data-testid="participant-row"][data-name="${name}"]`).waitFor();
    await eventually(() => proposal(name).count()).toBe(0);
  }
  await page.getByTestId('proposals-empty').waitFor();
}

/** 4. The vulnerability, with its CWE and a CVSS 3.1 vector the server scores. */
async function addVulnerability(page: Page): Promise<void> {
  await page.getByTestId('vulnerability-add-toggle').click();
  await page.getByTestId('vulnerability-title-ja').fill('診断ページにおける OS コマンドインジェクション');
  await page.getByTestId('vulnerability-title').fill('OS command injection in the diagnostics page');
  await page.getByTestId('vulnerability-cwe-input').fill('CWE-78');
  await page.getByTestId('vulnerability-cvss31').fill('CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H');
  await page.getByTestId('vulnerability-submit').click();
  await eventually(() => page.getByTestId('cvss31-score').innerText()).toBe('7.2');
  expect(await page.getByTestId('vulnerability-cwe').innerText()).toBe('CWE-78');
}

const cellOf = (page: Page, vendor: string) => page.locator(`[data-testid="matrix-row"][data-vendor="${vendor}"] [data-testid="matrix-cell"]`);

/** 6. A vendor's user logs in, sees only its own row, answers "vulnerable" with its fixed version, and accepts the embargo. */
async function vendorAnswers(page: Page, baseUrl: string, user: TestUser, vendor: string, fixedVersion: string): Promise<void> {
  await login(page, baseUrl, user);
  expect(await page.getByTestId('nav-vulnerability-reports').count()).toBe(0);
  await page.getByTestId('nav-cases').click();
  await eventually(() => page.getByTestId('case-row').count()).toBe(1);
  await page.getByTestId('case-row').getByTestId('case-open').click();
  await page.getByTestId('status-matrix').waitFor();
  expect(await page.getByTestId('matrix-row').count()).toBe(1);
  const shown = await page.locator('main').innerText();
  for (const other of Object.values(VENDORS)) if (other !== vendor) expect(shown).not.toContain(other);
  await cellOf(page, vendor).click();
  await choose(page, 'status-select', '該当製品あり');
  await page.getByTestId('fixed-versions').fill(fixedVersion);
  await page.getByTestId('statement-ja').fill(`${fixedVersion} で修正しました。${img}`);
  await page.getByTestId('status-save').click();
  await eventually(() => cellOf(page, vendor).getAttribute('data-status')).toBe('vulnerable');
  const proposal = page.locator('[data-testid="embargo-proposal"][data-state="proposed"]');
  await proposal.getByTestId('embargo-accept').click();
  await eventually(() => proposal.getByTestId('embargo-decision').innerText()).toContain(`${vendor}: 承諾`);
  expect(await pwned(page)).toBeUndefined();
}

/** 6. The third vendor: contact tried twice and failed, declared unreachable and announced, in the drawer. */
async function declareUnreachable(page: Page): Promise<void> {
  const participant = page.locator(`[data-testid="participant-row"][data-name="${VENDORS.kaede}"]`);
  await participant.getByTestId('participant-attempts').click();
  const drawer = page.getByTestId('attempts-view');
  await drawer.getByTestId('attempts-empty').waitFor();
  const attempts = [
    { channel: 'メール', outcome: '不達', note: '550 5.1.1 psirt@kaede-systems.example: user unknown' },
    { channel: '電話', outcome: '応答なし', note: '代表番号に 3 回架電、応答なし' },
  ];
  for (const [index, attempt] of attempts.entries()) {
    await choose(page, 'attempt-channel', attempt.channel);
    await choose(page, 'attempt-outcome', attempt.outcome);
    await drawer.getByTestId('attempt-note-input').fill(attempt.note);
    await drawer.getByTestId('attempt-submit').click();
    await eventually(() => drawer.getByTestId('attempt-row').count()).toBe(index + 1);
  }
  expect(await drawer.getByTestId('procedure-attempts').innerText()).toBe('2 回記録');
  await drawer.getByTestId('declare-unreachable').click();
  await eventually(() => drawer.getByTestId('procedure-declared').innerText()).toMatch(/JST \(Asia\/Tokyo\)/);
  await drawer.getByTestId('announce-unreachable').click();
  await eventually(() => drawer.getByTestId('procedure-announced').innerText()).toMatch(/JST \(Asia\/Tokyo\)/);
  await page.keyboard.press('Escape');
  await eventually(() => participant.innerText()).toContain('連絡不能');
  await eventually(() => cellOf(page, VENDORS.kaede).getAttribute('data-status')).toBe('unreachable');
}

/** 7. The coordinator drafts the advisory from the case and saves the impact in both languages: revision 2. */
async function draftAdvisory(page: Page): Promise<void> {
  await page.getByTestId('advisory-none').waitFor();
  await page.getByTestId('advisory-draft').click();
  await eventually(() => page.getByTestId('advisory-latest').getAttribute('data-number')).toBe('1');
  const vendorRows = page.getByTestId('advisory-server-built-ja').getByTestId('advisory-vendor-row');
  expect(await vendorRows.count()).toBe(3);
  expect(await page.getByTestId('advisory-credit-ja').inputValue()).toContain('山田 花子');
  await page.getByTestId('advisory-impact-ja').fill('管理者権限を持つ攻撃者により、任意の OS コマンドを実行される可能性があります。');
  await page.getByTestId('advisory-impact-en').fill('An attacker with administrative access may execute arbitrary OS commands.');
  await page.getByTestId('advisory-note').fill('影響を追記');
  await page.getByTestId('advisory-save').click();
  await eventually(() => page.getByTestId('advisory-latest').getAttribute('data-number')).toBe('2');
}

/** 9. Before publication, the unreachable vendor's user and an unrelated vendor's user get the same 404 as for no case at all. */
async function expectHiddenFrom(t: TestApp, caseId: string, users: TestUser[]): Promise<void> {
  const missing = await t.request(users[0]!, { url: '/api/v1/cases/00000000-0000-4000-8000-000000000000' });
  expect(missing.statusCode).toBe(404);
  for (const user of users) {
    for (const url of [`/api/v1/cases/${caseId}`, `/api/v1/cases/${caseId}/advisory`]) {
      const response = await t.request(user, { url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json<{ code: string }>().code).toBe(missing.json<{ code: string }>().code);
    }
    const list = await t.request(user, { url: '/api/v1/cases' });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(caseId);
  }
}

describeInBrowser(
  'The Early Warning Partnership flow in a real browser, in Japanese: from a finder’s form to publication at the embargo instant',
  (ctx) => {
    it(
      'Should take a finder’s report to a published advisory with three proposed vendors, two answers, one unreachable vendor listed, and nothing shown to outsiders',
      { timeout: 420_000 },
      async () => {
        const { t, baseUrl, page } = ctx();
        const browser = page.context().browser()!;
        // The finder's browser runs no script: the form must work without it. Tokens younger than a second
        // are refused as a robot's, so the form is opened first and filled after the set-up.
        const finder = await newPage(browser, { javaScriptEnabled: false });
        await finder.goto(`${baseUrl}/vulnerability-report?lang=ja`);
        expect(await finder.locator('html').getAttribute('lang')).toBe('ja');
        const w = await world(t);
        const { reference: reportReference, followUrl } = await finderFiles(finder);
        log('report filed on the public form');

        await login(page, baseUrl, w.coordinator);
        const caseUrl = await coordinatorAccepts(page, reportReference);
        const caseId = new URL(caseUrl).pathname.split('/').pop()!;
        const caseReference = await page.getByTestId('case-reference').innerText();
        await finder.goto(followUrl);
        expect(await finder.locator('dd').first().innerText()).toBe(`受理しました。案件 ${caseReference} として調整中です`);
        log('accepted; the finder sees it');

        // 5, started early so the rest overlaps the wait: an embargo at the next whole minute at least 75 s
        // ahead (the steps up to the publisher's approval take about 20 s on an idle machine).
        const releaseAt = wholeMinuteAfter(new Date(Date.now() + 75_000), 1);
        const tokyo = inTokyo(releaseAt);
        await page.getByTestId('embargo-date').fill(tokyo.date);
        await page.getByTestId('embargo-time').fill(tokyo.time);
        await eventually(() => page.getByTestId('embargo-preview').innerText()).toContain(`${releaseAt.toISOString().slice(11, 16)} UTC`);
        await page.getByTestId('embargo-submit').click();
        await eventually(() => page.locator('[data-testid="embargo-proposal"][data-state="proposed"]').count()).toBe(1);

        await addProposedVendors(page);
        // Sakura and Momiji are shared (and so notified). Kaede's security contact cannot be reached, so
        // nothing of the case is shared with it: its row stays "not yet notified" until declared unreachable.
        for (const name of [VENDORS.sakura, VENDORS.momiji]) {
          const participant = page.locator(`[data-testid="participant-row"][data-name="${name}"]`);
          await participant.getByTestId('participant-share').click();
          await eventually(() => participant.getByTestId('participant-shared').innerText()).toMatch(/JST \(Asia\/Tokyo\)/);
        }
        await addVulnerability(page);
        await eventually(() => cellOf(page, VENDORS.sakura).getAttribute('data-status')).toBe('notified_no_answer');
        expect(await cellOf(page, VENDORS.kaede).getAttribute('data-status')).toBe('not_notified');
        // The 起算日 started with the first share: the target date counts down.
        expect(await page.getByTestId('days-left').innerText()).toBe('あと 45 日');
        log('three vendors added, two shared, the vulnerability scored');

        const sakuraPage = await newPage(browser);
        await vendorAnswers(sakuraPage, baseUrl, w.sakura.user, VENDORS.sakura, 'RT-500 2.3.3');
        const momijiPage = await newPage(browser);
        await vendorAnswers(momijiPage, baseUrl, w.momiji.user, VENDORS.momiji, 'tinyhttpd 1.4.3');
        await momijiPage.context().close();
        log('two vendors answered and accepted the embargo');

        // The team agrees the instant both vendors accepted.
        await page.getByTestId('case-refresh').click();
        await eventually(() => cellOf(page, VENDORS.momiji).getAttribute('data-status')).toBe('vulnerable');
        const open = page.locator('[data-testid="embargo-proposal"][data-state="proposed"]');
        await eventually(() => open.getByTestId('embargo-decision').allInnerTexts()).toEqual([
          expect.stringContaining(`${VENDORS.sakura}: 承諾`),
          expect.stringContaining(`${VENDORS.momiji}: 承諾`),
        ]);
        await open.getByTestId('embargo-accept').click();
        await eventually(() => page.getByTestId('embargo-agreed').innerText()).toContain(`${tokyo.date} ${tokyo.time} JST (Asia/Tokyo)`);

        await declareUnreachable(page);
        log('embargo agreed; the third vendor declared unreachable and announced');
        await draftAdvisory(page);

        // A vendor previews the draft: read-only, with only its own row of the vendor table.
        await sakuraPage.goto(caseUrl);
        const preview = sakuraPage.getByTestId('advisory-preview');
        await eventually(() => preview.getAttribute('data-number')).toBe('2');
        expect(await preview.getByTestId('advisory-doc-impact').innerText()).toContain('任意の OS コマンド');
        expect(await preview.getByTestId('advisory-vendor-row').count()).toBe(1);
        expect(await sakuraPage.getByTestId('advisory-editor').count()).toBe(0);
        await sakuraPage.context().close();

        await expectHiddenFrom(t, caseId, [w.kaede.user, w.hinoki.user]);
        log('previewed by a vendor; hidden from the unreachable and the unrelated vendor');

        // The publisher approves revision 2 in its own session; the job is due at the agreed instant.
        const publisherPage = await newPage(browser);
        await login(publisherPage, baseUrl, w.publisher);
        await publisherPage.goto(caseUrl);
        await publisherPage.getByTestId('advisory-tab-revisions').click();
        const revision = publisherPage.locator('[data-testid="advisory-revision"][data-number="2"]');
        await revision.getByTestId('revision-approve').click();
        await publisherPage.getByTestId('approve-confirm').click();
        await eventually(() => revision.getAttribute('data-state')).toBe('approved');
        expect(await publisherPage.getByTestId('publication-due').innerText()).toContain(`${tokyo.time} JST (Asia/Tokyo)`);
        await publisherPage.context().close();
        const approvedAt = Date.now();
        log(`approved ${((releaseAt.getTime() - approvedAt) / 1000).toFixed(0)} s before the instant`);

        // 8, while the instant is awaited: the unreachable developers' list.
        await page.getByTestId('nav-unreachable').click();
        const listed = page.locator(`[data-testid="unreachable-row"][data-name="${VENDORS.kaede}"]`);
        await listed.waitFor();
        expect(await listed.innerText()).toContain(caseReference);
        expect(await listed.getByTestId('unreachable-attempts').innerText()).toBe('2');
        expect(await page.getByTestId('unreachable-row').count()).toBe(1);

        // 7, the end: the real worker publishes at the instant; the case page shows the public ID.
        await page.goto(caseUrl);
        await eventually(() => page.getByTestId('publication-public-id').count(), { timeout: 240_000 }).toBe(1);
        const publicId = await page.getByTestId('publication-public-id').innerText();
        expect(publicId).toMatch(/^JVNVU#\d{8}$/);
        await eventually(() => page.getByTestId('case-public-id').innerText()).toBe(publicId);
        expect(await page.getByTestId('case-status').innerText()).toBe('公表済み');
        // Published, the target date no longer counts down (nor will it turn into "overdue").
        expect(await page.getByTestId('days-left').count()).toBe(0);
        const db = t.database.db;
        const events = await db.selectFrom('case_events').select('detail').where('case_id', '=', caseId).where('kind', '=', 'published').execute();
        expect(events).toEqual([{ detail: { publicId, revision: 2, by: 'job' } }]);
        const record = await db.selectFrom('advisory_publications').select('published_at').where('case_id', '=', caseId).executeTakeFirstOrThrow();
        expect(record.published_at.getTime()).toBeGreaterThanOrEqual(releaseAt.getTime());
        log(`published ${((record.published_at.getTime() - releaseAt.getTime()) / 1000).toFixed(1)} s after the instant`);
        expect(await pwned(page)).toBeUndefined();
        await shoot(page, 'early-warning-published-ja.png');
        await shoot(page, 'early-warning-advisory-published-ja.png', 'advisory-panel');
        await finder.context().close();
      },
    );
  },
  { env: { RENKEI_INTAKE_ADDRESS: INTAKE, RENKEI_SMTP_RELAY: sink.url } },
);
