import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { INTAKE, insertDirectoryKey, makeKey, startSink } from '../../src/mail/mail-test-kit.ts';
import { describeInBrowser } from '../../src/testing/browser.ts';
import type { TestApp, TestUser } from '../../src/testing/test-app.ts';
import { startWebhookReceiver } from '../../src/vulnerabilities/webhook-receiver-test-server.ts';
import { addSharedVendor, openCase, outsideOrganisationWithUser } from '../../src/vulnerabilities/vulnerabilities-test-kit.ts';

// The relay (participants' notices are mail) and the vendor's own tool: a real HTTP receiver on loopback.
const sink = await startSink();
const receiver = await startWebhookReceiver();
afterAll(async () => {
  await sink.close();
  await receiver.close();
});
const shots = process.env.RENKEI_SHOTS_DIR ?? path.resolve(import.meta.dirname, '../../../../test-results');

const eventually = <T>(read: () => Promise<T> | T, options: { timeout?: number } = {}) => expect.poll(read, { timeout: 20_000, interval: 100, ...options });

async function login(page: Page, baseUrl: string, user: TestUser, language: 'ja' | 'en'): Promise<void> {
  await page.goto(`${baseUrl}/app/login`);
  await page.getByTestId('login-email').fill(user.email);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-cases').waitFor();
  await page.getByTestId(`lang-${language}`).click();
}

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/]).*/, (route) => route.abort());
  return context.newPage();
}

async function shoot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(shots, { recursive: true });
  const height = await page.evaluate<number>('document.documentElement.scrollHeight');
  await page.setViewportSize({ width: 1280, height: Math.min(height, 4000) });
  await page.screenshot({ path: path.join(shots, name) });
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** What the vendor's tool does with a delivery: check the HMAC over `t.body` with the secret it was shown. */
function signedWith(secret: string, header: string, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  return match !== null && createHmac('sha256', secret).update(`${match[1]}.${body}`).digest('hex') === match[2];
}

async function prepare(t: TestApp): Promise<void> {
  await insertDirectoryKey(t.database, await makeKey(INTAKE), { email: INTAKE, instance: true });
  await t.services.jobs.startWorker({ concurrency: 1 });
}

describeInBrowser(
  'The vendor portal in a real browser: webhooks, the changed list and the case threads',
  (ctx) => {
    it(
      'Should let a vendor register a webhook, see the coordinator’s message in its changed list and thread, and answer privately',
      { timeout: 180_000 },
      async () => {
        const { t, baseUrl, page: vendorPage } = ctx();
        await prepare(t);
        const coordinator = await t.createUser(['coordinator']);
        const acme = await outsideOrganisationWithUser(t, 'Acme Networks');
        const { caseId, reference } = await openCase(t, coordinator, 'Acme ルーター');
        await addSharedVendor(t, coordinator, caseId, acme.organisationId);

        // 1. The vendor registers its tool's endpoint, in Japanese; the secret is shown once.
        await login(vendorPage, baseUrl, acme.user, 'ja');
        await vendorPage.getByTestId('nav-webhooks').click();
        await vendorPage.getByTestId('webhook-url').fill(receiver.url('/acme-psirt'));
        await vendorPage.getByTestId('webhook-description').fill('PSIRT チケット連携');
        await vendorPage.getByTestId('webhook-create').click();
        const secret = (await vendorPage.getByTestId('webhook-secret').innerText()).trim();
        expect(secret).toMatch(/^whsec_/);
        expect(await vendorPage.getByTestId('webhook-secret-alert').innerText()).toContain('この一度だけ表示');
        await vendorPage.getByTestId('webhook-ping').click();
        await vendorPage.locator('[data-testid="delivery-row"][data-event="ping"][data-state="delivered"]').waitFor({ timeout: 20_000 });
        await shoot(vendorPage, 'webhooks-ja.png');
        await vendorPage.getByTestId('webhook-secret-done').click();
        expect(await vendorPage.getByTestId('webhook-secret').count()).toBe(0);

        // 2. The coordinator writes in the case thread (in English).
        const teamPage = await newPage(vendorPage.context().browser()!);
        await login(teamPage, baseUrl, coordinator, 'en');
        await teamPage.goto(`${baseUrl}/app/cases/${caseId}`);
        await teamPage.getByTestId('message-body-input').fill('Please confirm which firmware versions are affected.\n<b>not bold</b>');
        await teamPage.getByTestId('message-send').click();
        await eventually(() => teamPage.getByTestId('case-message').count()).toBe(1);

        // 3. The vendor's home page says there is news; the changed list has the case; opened, the message is marked new.
        await vendorPage.getByTestId('nav-home').click();
        await eventually(() => vendorPage.getByTestId('home-changed-link').innerText()).toBe('更新のある案件 1 件');
        await vendorPage.getByTestId('home-changed-link').click();
        const row = vendorPage.locator(`[data-testid="changed-row"][data-reference="${reference}"]`);
        await eventually(() => row.count()).toBe(1);
        await shoot(vendorPage, 'changed-ja.png');
        expect(await vendorPage.getByTestId('nav-cases').getAttribute('data-active')).toBeNull();
        await row.getByTestId('changed-link').click();
        const message = vendorPage.getByTestId('case-message').first();
        await eventually(() => message.getAttribute('data-unread')).toBe('true');
        expect(await message.getByTestId('message-author').innerText()).toBe('調整チーム');
        expect(await message.getByTestId('message-body').innerText()).toContain('<b>not bold</b>');
        expect(await vendorPage.locator('[data-testid="message-body"] b').count()).toBe(0);

        // 4. It answers privately, to the coordinator only.
        await vendorPage.getByText('調整機関との非公開スレッド', { exact: true }).click();
        await vendorPage.getByTestId('message-body-input').fill('ファームウェア 2.0〜2.4 が影響を受けます。修正版は 2.5 です。');
        await vendorPage.getByTestId('message-send').click();
        await eventually(() => vendorPage.getByTestId('case-message').count()).toBe(1);
        expect(await vendorPage.getByTestId('message-author').innerText()).toBe('あなた');
        await vendorPage.getByTestId('case-messages').scrollIntoViewIfNeeded();
        await shoot(vendorPage, 'thread-ja.png');
        // Opened, the case is no longer new to the vendor.
        await vendorPage.getByTestId('nav-changed-cases').click();
        await eventually(() => vendorPage.locator(`[data-testid="changed-row"][data-reference="${reference}"]`).count()).toBe(0);

        // 5. The coordinator picks Acme's private thread and reads the answer.
        await teamPage.reload();
        await teamPage.getByTestId('thread-picker').click();
        await teamPage.getByRole('option', { name: /^Private: Acme Networks/ }).click();
        const reply = teamPage.getByTestId('case-message');
        await eventually(() => reply.count()).toBe(1);
        expect(await reply.getByTestId('message-body').innerText()).toContain('修正版は 2.5');
        expect(await reply.getByTestId('message-author').innerText()).toBe('Acme Networks');
        await teamPage.getByTestId('case-messages').scrollIntoViewIfNeeded();
        await shoot(teamPage, 'thread-en.png');

        // 6. The vendor's tool got signed deliveries: the ping and the coordinator's message (not its own reply).
        const got = await (async () => {
          await eventually(() => receiver.at('/acme-psirt').length).toBeGreaterThanOrEqual(2);
          return receiver.at('/acme-psirt');
        })();
        for (const delivery of got) expect(signedWith(secret, String(delivery.headers['renkei-signature']), delivery.body)).toBe(true);
        const types = got.map((d) => (JSON.parse(d.body) as { type: string }).type);
        expect(types).toEqual(['ping', 'message.created']);
        expect(got.every((d) => !d.body.includes('firmware') && !d.body.includes('ファームウェア'))).toBe(true);

        // The same screen in English.
        await vendorPage.getByTestId('lang-en').click();
        await vendorPage.getByTestId('nav-webhooks').click();
        await vendorPage.getByTestId('webhook-deliveries-toggle').click();
        await vendorPage.locator('[data-testid="delivery-row"][data-event="message.created"]').waitFor();
        await shoot(vendorPage, 'webhooks-en.png');
        await teamPage.context().close();
      },
    );
  },
  {
    env: {
      RENKEI_INTAKE_ADDRESS: INTAKE,
      RENKEI_SMTP_RELAY: sink.url,
      RENKEI_FETCH_ALLOW: '127.0.0.1',
      RENKEI_WEBHOOK_RETRY_SECONDS: '1',
    },
  },
);
