import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { INTAKE, insertDirectoryKey, makeKey, startSink } from '../../src/mail/mail-test-kit.ts';
import { describeInBrowser } from '../../src/testing/browser.ts';
import type { TestUser } from '../../src/testing/test-app.ts';
import { caseWithTwoVendors } from '../../src/vulnerabilities/vendor-mail-test-kit.ts';

// The outbound relay: a loopback SMTP sink, so the vendors' mail is composed, signed, encrypted and handed over for real.
const sink = await startSink();
afterAll(() => sink.close());
// Looked at by a person, not committed.
const screenshots = '/tmp/shots-vendormail';

const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 30_000, interval: 100 });
const pwned = (page: Page) => page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned);

async function login(page: Page, baseUrl: string, user: TestUser): Promise<void> {
  await page.goto(`${baseUrl}/app/login`);
  await page.getByTestId('login-email').fill(user.email);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-cases').waitFor();
  await page.getByTestId('lang-ja').click();
}

async function shoot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshots, { recursive: true });
  await page.getByTestId('vendor-mail-panel').screenshot({ path: path.join(screenshots, name) });
}

describeInBrowser(
  'Mail to a case’s vendors in a real browser: drafts in each vendor’s language, encrypted where a key exists, sent and listed',
  (ctx) => {
    it('Should draft for two vendors in Japanese and English, one encrypted, send both and list them', { timeout: 120_000 }, async () => {
      const { t, baseUrl, page } = ctx();
      await insertDirectoryKey(t.database, await makeKey(INTAKE), { email: INTAKE, instance: true });
      await t.services.jobs.startWorker({ concurrency: 1 });
      const world = await caseWithTwoVendors({ t });
      // A vendor's name from the directory is untrusted: it is shown as text, never run.
      await t.database.db
        .updateTable('organisations')
        .set({ name_ja: 'カギ社 <img src=x onerror="window.__pwned=1">' })
        .where('id', '=', world.kagi.organisationId)
        .execute();
      await login(page, baseUrl, world.coordinator);
      await page.goto(`${baseUrl}/app/cases/${world.caseId}`);
      await page.getByTestId('vendor-mail-panel').waitFor();
      await page.getByTestId('vendor-mail-none-sent').waitFor();

      await page.getByTestId('vendor-mail-make-drafts').click();
      const drafts = page.getByTestId('vendor-mail-draft');
      await eventually(() => drafts.count()).toBe(2);
      const ja = page.locator('[data-testid="vendor-mail-draft"][data-language="ja"]');
      const en = page.locator('[data-testid="vendor-mail-draft"][data-language="en"]');
      expect(await ja.getAttribute('data-encrypted')).toBe('true');
      expect(await en.getAttribute('data-encrypted')).toBe('false');
      expect(await ja.getByTestId('vendor-mail-encryption').textContent()).toBe('PGP 暗号化');
      expect(await en.getByTestId('vendor-mail-encryption').textContent()).toBe('署名のみ（鍵なし）');
      expect(await ja.getByTestId('vendor-mail-subject').inputValue()).toBe('脆弱性情報のご連絡');
      expect(await en.getByTestId('vendor-mail-subject').inputValue()).toBe('Vulnerability information for your products');
      expect(await ja.getByTestId('vendor-mail-body').inputValue()).toContain('ログインフォームにおける SQL インジェクション');
      // Without a key only the log-in notice is mailed, and the screen says so.
      await en.getByTestId('vendor-mail-notice-only').waitFor();
      expect(await en.getByTestId('vendor-mail-notice-body').textContent()).toContain(world.reference);
      expect(await ja.getByTestId('vendor-mail-notice-only').count()).toBe(0);
      expect(await ja.textContent()).toContain('カギ社 <img');
      await shoot(page, 'vendor-mail-drafts-ja.png');

      await ja.getByTestId('vendor-mail-subject').fill('脆弱性情報のご連絡（至急）');
      await ja.getByTestId('vendor-mail-body').fill('ご担当者様\n\n詳細は次のとおりです。EDITED-IN-BROWSER');
      await page.getByTestId('vendor-mail-send').click();
      await page.getByTestId('vendor-mail-sent-notice').waitFor();
      const rows = page.getByTestId('vendor-mail-row');
      await eventually(() => rows.count()).toBe(2);
      const kagiRow = page.locator(`[data-testid="vendor-mail-row"][data-participant="${world.kagi.participantId}"]`);
      expect(await kagiRow.getByTestId('vendor-mail-encryption').getAttribute('data-encrypted')).toBe('true');
      expect(await kagiRow.textContent()).toContain('脆弱性情報のご連絡（至急）');
      expect(await kagiRow.textContent()).toContain(`[${world.reference}]`);
      // The relay took both; the list shows it (handed to the relay) after a reload.
      const toVendors = () => sink.messages.filter((m) => m.to.includes(world.kagi.address) || m.to.includes(world.plain.address));
      await eventually(() => toVendors().length).toBe(2);
      await eventually(
        async () =>
          (
            await t.database.db
              .selectFrom('mail_messages')
              .select('id')
              .where('direction', '=', 'outbound')
              .where('delivery_status', '=', 'relayed')
              .where(sql<boolean>`to_addresses && ${[world.kagi.address, world.plain.address]}::text[]`)
              .execute()
          ).length,
      ).toBe(2);
      await page.reload();
      await eventually(() => page.locator('[data-testid="vendor-mail-delivery"][data-status="relayed"]').count()).toBe(2);
      // The 起算日 started with the first mail.
      await page.getByTestId('days-elapsed').waitFor();
      await shoot(page, 'vendor-mail-sent-ja.png');
      await page.getByTestId('lang-en').click();
      await page.getByTestId('vendor-mail-make-drafts').click();
      await eventually(() => drafts.count()).toBe(2);
      await shoot(page, 'vendor-mail-drafts-en.png');
      expect(await pwned(page)).toBeUndefined();
    });
  },
  { env: { RENKEI_INTAKE_ADDRESS: INTAKE, RENKEI_SMTP_RELAY: sink.url } },
);
