import nodemailer from 'nodemailer';
import * as openpgp from 'openpgp';
import { expect, it } from 'vitest';
import { prepareMailOnStart } from '../../src/app/mail-start-up.ts';
import { makeKey } from '../../src/contacts/test-keys.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { rfc822 } from '../../src/mail/mail-test-kit.ts';
import { signMime } from '../../src/mail/pgp.ts';
import { systemContext } from '../../src/policy/actor.ts';
import { describeInBrowser } from '../../src/testing/browser.ts';

const INTAKE = 'report@browser-intake.test';

describeInBrowser(
  'Mailbox in a real browser: PGP-signed mail delivered over SMTP',
  (ctx) => {
    it('Should show a signed message as good, one by an unknown key as unknown_key, and an HTML body with scripts as text only', async () => {
      const { t, baseUrl, page, smtpPort } = ctx();
      const user = await t.createUser(['analyst']);
      const system = systemContext('test');
      const partner = await makeKey({ email: 'alice@partner.example', name: 'Alice' });
      const stranger = await makeKey({ email: 'mallory@elsewhere.example', name: 'Mallory' });
      const org = await t.services.contacts.createOrganisation(system, { name: 'Partner CERT', kind: 'csirt', contactEmail: 'alice@partner.example' });
      await t.services.contacts.importKeys(system, { armored: partner.publicArmored, organisationId: org.id });

      // Real SMTP to the app's own listener on loopback.
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort!, secure: false, ignoreTLS: true });
      async function sendSigned(from: string, armoredPrivate: string, subject: string, entity: string): Promise<void> {
        const key = await openpgp.readPrivateKey({ armoredKey: armoredPrivate });
        const { contentType, body } = await signMime(Buffer.from(entity.replace(/\r?\n/g, '\r\n')), key);
        const raw = rfc822({ From: from, To: INTAKE, Subject: subject, 'Content-Type': contentType }, '') + body.toString('latin1');
        await transport.sendMail({ envelope: { from, to: [INTAKE] }, raw });
      }
      await sendSigned(
        'alice@partner.example',
        partner.privateArmored,
        'Signed report from Alice',
        'Content-Type: text/plain; charset=utf-8\n\nThe phishing kit is at hxxp://198.51.100.7/login\n',
      );
      await sendSigned('mallory@elsewhere.example', stranger.privateArmored, 'Signed by a stranger', 'Content-Type: text/plain; charset=utf-8\n\nTrust me.\n');
      const html = [
        '<html><body><p>Report with <b>bold</b> words</p>',
        '<script>window.__pwned = "script"</script>',
        '<img src="x" onerror="window.__pwned = \'onerror\'">',
        '<svg onload="window.__pwned = \'svg\'"></svg>',
        '<a href="javascript:window.__pwned=\'link\'">click here</a></body></html>',
      ].join('');
      await sendSigned('alice@partner.example', partner.privateArmored, 'HTML with scripts', `Content-Type: text/html; charset=utf-8\n\n${html}\n`);
      transport.close();

      await page.goto(`${baseUrl}/app/login`);
      await page.getByTestId('login-email').fill(user.email);
      await page.getByTestId('login-password').fill(user.password);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('nav-mail').click();
      await expect.poll(() => page.getByTestId('mail-thread').count()).toBe(3);

      async function openThread(subject: string): Promise<void> {
        await page.getByTestId('mail-thread').filter({ hasText: subject }).click();
        await page.getByTestId('mail-open').filter({ hasText: subject }).click();
        await expect.poll(() => page.getByTestId('mail-message').locator('#mail-message-subject').innerText()).toBe(subject);
      }

      await openThread('Signed report from Alice');
      const message = page.getByTestId('mail-message');
      expect(await message.getByTestId('pgp-status').getAttribute('data-status')).toBe('good');
      expect(await message.getByTestId('pgp-status').innerText()).toBeTruthy();
      expect(await message.getByTestId('mail-body').innerText()).toContain('The phishing kit is at hxxp://198.51.100.7/login');

      await openThread('Signed by a stranger');
      expect(await message.getByTestId('pgp-status').getAttribute('data-status')).toBe('unknown_key');
      expect(await message.getByTestId('mail-body').innerText()).toContain('Trust me.');

      await openThread('HTML with scripts');
      expect(await message.getByTestId('pgp-status').getAttribute('data-status')).toBe('good');
      const body = message.getByTestId('mail-body');
      await expect.poll(() => body.innerText()).toContain('Report with bold words');
      expect(await body.innerText()).toContain('click here');
      // Text only: no element was made from the mail, and nothing in it ran.
      expect(await body.locator('*').count()).toBe(0);
      expect(await page.locator('img[src="x"], svg[onload], a[href^="javascript:"]').count()).toBe(0);
      await page.waitForTimeout(200);
      expect(await page.evaluate(() => (globalThis as { __pwned?: string }).__pwned)).toBeUndefined();

      // The same badge in Japanese.
      await page.getByTestId('lang-ja').click();
      await expect.poll(() => message.getByTestId('pgp-status').innerText()).toBe('署名は正当');
    });

    it('Should preview a template in Japanese with the TLP label in subject and body, variables shown as text', async () => {
      const { page } = ctx();
      await page.getByTestId('mail-templates-toggle').click();
      const panel = page.getByTestId('template-preview');
      await panel.getByText('日本語').click();
      await panel.getByTestId('template-variable-name').fill('<script>window.__pwned = "template"</script>山田');
      await panel.getByTestId('template-variable-reference').fill('IR-2026-000123');
      await panel.getByTestId('template-preview-submit').click();
      await expect.poll(() => panel.getByTestId('template-rendered-subject').textContent()).toBe('[TLP:AMBER] ご報告を受け付けました');
      const text = (await panel.getByTestId('template-rendered-text').textContent()) ?? '';
      expect(text.startsWith('TLP:AMBER\n\n<script>window.__pwned = "template"</script>山田 様')).toBe(true);
      expect(text).toContain('IR-2026-000123');
      expect(await panel.getByTestId('template-rendered').getAttribute('data-language')).toBe('ja');
      expect(await panel.getByTestId('template-rendered-text').locator('*').count()).toBe(0);
      expect(await page.evaluate(() => (globalThis as { __pwned?: string }).__pwned)).toBeUndefined();
    });

    it('Should show a message sent with no relay configured as not sent, in Japanese and English', async () => {
      const { t, page, baseUrl } = ctx();
      // What `renkei serve` does on start: the instance key is made; no relay is set in this app.
      await prepareMailOnStart(t.services, t.config, createLogger({ level: 'silent', name: 'test' }));
      const sender = await t.createUser(['analyst']);
      const sent = await t.request(sender, {
        method: 'POST',
        url: '/api/v1/mail/outbound',
        payload: { to: 'finder@example.org', subject: 'Your vulnerability report', text: 'Thank you.', tlp: 'TLP:AMBER' },
      });
      expect(sent.json()).toMatchObject({ status: 'held' });

      // A fresh load, so the thread list is read again (logging in when this test runs alone).
      await page.goto(`${baseUrl}/app/mail`);
      const login = page.getByTestId('login-email');
      await page.getByTestId('mail-thread').first().or(login).waitFor();
      if (await login.isVisible()) {
        await login.fill(sender.email);
        await page.getByTestId('login-password').fill(sender.password);
        await page.getByTestId('login-submit').click();
        await page.getByTestId('nav-mail').click();
      }
      await page.getByTestId('lang-ja').click();
      await page.getByTestId('mail-thread').filter({ hasText: 'Your vulnerability report' }).click({ timeout: 10_000 });
      const status = page.locator('[data-testid="mail-status"][data-status="held"]');
      await expect.poll(() => status.textContent()).toBe('未送信：メールリレー未設定');
      await page.getByTestId('mail-open').filter({ hasText: 'Your vulnerability report' }).click();
      await expect.poll(() => page.getByTestId('mail-status-detail').innerText()).toContain('RENKEI_SMTP_RELAY');
      expect(await page.getByTestId('mail-status-detail').innerText()).toContain('未送信');

      await page.getByTestId('lang-en').click();
      await expect.poll(() => status.textContent()).toBe('Not sent: no relay configured');
      expect(await page.getByTestId('mail-status-detail').innerText()).toMatch(/^Not sent: no outgoing relay is configured/);
    });
  },
  { smtp: true, env: { RENKEI_INTAKE_ADDRESS: INTAKE } },
);
