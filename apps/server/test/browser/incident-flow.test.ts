import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Page } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { insertDirectoryKey, makeKey, startSink } from '../../src/mail/mail-test-kit.ts';
import { systemContext } from '../../src/policy/actor.ts';
import { describeInBrowser } from '../../src/testing/browser.ts';
import type { TestUser } from '../../src/testing/test-app.ts';

const INTAKE = 'report@incident-flow.test';
const ISP_ABUSE = 'abuse@isp-flow.example';
// The outbound relay: a loopback SMTP sink that keeps what the app sends. Started before the app so its URL is in the app's settings.
const sink = await startSink();
afterAll(() => sink.close());

const pwned = (page: Page) => page.evaluate(() => (globalThis as { __pwned?: unknown }).__pwned);

async function login(page: Page, baseUrl: string, user: TestUser): Promise<void> {
  await page.goto(`${baseUrl}/app/login`);
  await page.getByTestId('login-email').fill(user.email);
  await page.getByTestId('login-password').fill(user.password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('nav-triage').waitFor();
}

/** Files a report through the public form (server-rendered, no JavaScript) as a reporter in a browser context of their own; answers the reference. */
async function fileReport(
  staffPage: Page,
  baseUrl: string,
  fields: { category: string; indicators: string; description: string; name: string; email: string },
): Promise<string> {
  const context = await staffPage.context().browser()!.newContext();
  await context.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/]).*/, (route) => route.abort());
  const page = await context.newPage();
  await page.goto(`${baseUrl}/report?lang=ja`);
  await page.locator('#category').selectOption(fields.category);
  await page.locator('#indicators').fill(fields.indicators);
  await page.locator('#description').fill(fields.description);
  await page.locator('#name').fill(fields.name);
  await page.locator('#email').fill(fields.email);
  // The form refuses tokens younger than a second (robots post at once): wait for this one's age, read from the token itself.
  const issued = parseInt((await page.locator('input[name="form_token"]').inputValue()).split('.')[0]!, 36);
  await expect.poll(() => Date.now() - issued, { interval: 100 }).toBeGreaterThan(1100);
  await page.getByRole('button', { name: '報告する' }).click();
  const reference = (await page.locator('strong').filter({ hasText: /^IR-/ }).innerText()).trim();
  expect(reference).toMatch(/^IR-\d{4}-\d+$/);
  expect(await pwned(page)).toBeUndefined();
  await context.close();
  return reference;
}

describeInBrowser(
  'Incident handling end to end in a real browser: public form → triage → coordination by mail → takedown → statistics',
  (ctx) => {
    it('Should take a Japanese phishing report from the public form to a closed coordination with the ISP, and count it', { timeout: 90_000 }, async () => {
      const { t, baseUrl, page, smtpPort } = ctx();
      const db = t.database.db;
      const system = systemContext('test');

      // The team signs with its instance key; the ISP has a key too, so the server encrypts to it.
      const instance = await makeKey('team@test-csirt.example');
      await insertDirectoryKey(t.database, instance, { email: 'team@test-csirt.example', instance: true });
      // The directory: a Japanese hosting ISP holding the phishing host's prefix, with an abuse address.
      const isp = await db
        .insertInto('organisations')
        .values({
          name: 'Example Hosting K.K.',
          name_ja: '例示ホスティング株式会社',
          kind: 'isp',
          country: 'JP',
          languages: ['ja', 'en'],
          contact_email: ISP_ABUSE,
          contact_phone: null,
          website: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db
        .insertInto('organisation_networks')
        .values({ organisation_id: isp.id, kind: 'ipv4', value: '198.51.100.0/24', abuse_email: ISP_ABUSE })
        .execute();
      const ispKey = await makeKey(ISP_ABUSE);
      await t.services.contacts.importKeys(system, { armored: ispKey.publicArmored, organisationId: isp.id });
      // IP data, so the lookup also answers AS and country with their source.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-flow-'));
      const ipData = path.join(dir, 'flow-ip2asn.tsv');
      fs.writeFileSync(ipData, '198.51.100.0\t198.51.100.255\t64500\tJP\tEXAMPLE-HOSTING-JP\n');
      await t.services.networkLookup.importIpData(system, ipData);
      fs.rmSync(dir, { recursive: true, force: true });
      await t.services.jobs.startWorker({ concurrency: 2 });
      const analyst = await t.createUser(['analyst']);

      // 1. A reporter files the phishing report through the public form, in Japanese.
      const reference = await fileReport(page, baseUrl, {
        category: 'phishing',
        indicators: 'hxxp://198.51.100[.]7/bank/login',
        description: '銀行を装ったフィッシングサイトを見つけました。\nログイン画面でパスワードを入力させようとしています。',
        name: '山田 太郎',
        email: 'yamada@reporter.example',
      });

      // 2. The analyst triages it: the queue, the report with its observables, the lookup and the proposed ISP.
      await login(page, baseUrl, analyst);
      await page.getByTestId('lang-ja').click();
      await page.getByTestId('nav-triage').click();
      const row = page.getByTestId('triage-row').filter({ hasText: reference });
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.innerText()).toContain('フィッシングサイト');
      await row.getByTestId('triage-open').click();
      await expect.poll(() => page.getByTestId('report-reference').innerText()).toBe(reference);
      expect(await page.getByTestId('report-description').innerText()).toContain('銀行を装ったフィッシングサイト');
      const observables = await page.getByTestId('observables').innerText();
      expect(observables).toContain('http://198.51.100.7/bank/login');
      expect(observables).toContain('hxxp://198.51.100[.]7/bank/login');
      const answer = await page.getByTestId('lookup-answer').first().innerText();
      expect(answer).toContain('198.51.100.7');
      expect(answer).toContain('Example Hosting K.K.');
      expect(answer).toContain(ISP_ABUSE);
      expect(answer).toContain('directory');
      expect(answer).toContain('AS64500');
      expect(answer).toContain('ip2asn:flow-ip2asn.tsv');
      const party = page.getByTestId('proposed-party').filter({ hasText: 'Example Hosting K.K.' });
      expect(await party.getAttribute('data-role')).toBe('isp');
      expect(await party.innerText()).toContain(ISP_ABUSE);
      expect(await page.getByTestId('no-proposals').count()).toBe(1);
      await page.getByTestId('create-incident').click();

      // 3. The incident: the lookup's ISP is proposed; a coordination is drafted from the Japanese template and sent.
      await page.getByTestId('incident-page').waitFor();
      expect(await page.getByTestId('incident-reference').innerText()).toMatch(/^INC-/);
      expect(await page.getByTestId('incident-page').getByTestId('tlp-badge').innerText()).toBe('TLP:AMBER');
      const partyRow = page.getByTestId('party-row').filter({ hasText: 'Example Hosting K.K.' });
      await partyRow.getByTestId('party-coordinate').click();
      const coordination = page.getByTestId('coordination');
      await expect.poll(() => coordination.getAttribute('data-state')).toBe('drafted');
      expect(await coordination.getByTestId('coordination-party').innerText()).toContain(ISP_ABUSE);
      await coordination.getByTestId('coordination-draft').click();
      await expect.poll(() => coordination.getByTestId('draft-subject').inputValue()).toBe('[TLP:AMBER] 貴組織のネットワークに関するインシデントのご連絡');
      const draft = await coordination.getByTestId('draft-text').inputValue();
      expect(draft.startsWith('TLP:AMBER\n\nExample Hosting K.K. 御中')).toBe(true);
      expect(draft).toContain('http://198.51.100.7/bank/login');
      await coordination.getByTestId('coordination-send').click();
      await expect.poll(() => coordination.getAttribute('data-state')).toBe('sent');
      const threadKey = (await coordination.getAttribute('data-thread-key'))!;

      // 4. The mail reaches the relay (the loopback sink), signed and encrypted to the ISP's key.
      await expect.poll(() => sink.messages.filter((m) => m.to.includes(ISP_ABUSE)).length, { timeout: 20_000 }).toBe(1);
      const relayed = sink.messages.find((m) => m.to.includes(ISP_ABUSE))!.raw.toString('utf8');
      const messageId = /^Message-ID:\s*<([^>]+)>/im.exec(relayed)![1]!;
      expect(relayed).toMatch(/^Content-Type: multipart\/encrypted/im);
      expect(relayed).toContain(threadKey);

      // 5. The ISP answers over SMTP to the intake listener, In-Reply-To our message; it threads into the coordination.
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort!, secure: false, ignoreTLS: true });
      await transport.sendMail({
        from: ISP_ABUSE,
        to: INTAKE,
        subject: `Re: [TLP:AMBER] [${threadKey}] 貴組織のネットワークに関するインシデントのご連絡`,
        text: 'ご連絡ありがとうございます。該当サイトを停止しました。',
        inReplyTo: `<${messageId}>`,
        references: [`<${messageId}>`],
      });
      transport.close();
      await expect
        .poll(
          async () => {
            await page.getByTestId('incident-refresh').click();
            return coordination.getAttribute('data-state');
          },
          { timeout: 20_000 },
        )
        .toBe('acknowledged');
      const inbound = coordination.getByTestId('coordination-message').and(page.locator('[data-direction="inbound"]'));
      await expect.poll(() => inbound.count()).toBe(1);
      expect(await inbound.getByTestId('coordination-message-body').innerText()).toContain('該当サイトを停止しました。');
      expect(await coordination.getByTestId('coordination-message').and(page.locator('[data-direction="outbound"]')).count()).toBe(1);

      // 6. The takedown is recorded with the phishing detail, the coordination is acted on and closed, the incident closed.
      await page.getByTestId('phishing-brand').fill('例示銀行');
      await page.getByTestId('phishing-sector').fill('金融');
      await page.getByTestId('phishing-detail').getByText('国内', { exact: true }).click();
      await page.getByTestId('phishing-hosting').fill('共用ホスティング');
      await page.getByTestId('phishing-save').click();
      await expect.poll(() => page.getByTestId('timeline-event').and(page.locator('[data-kind="updated"]')).count()).toBe(1);
      await page.getByTestId('record-takedown').click();
      await expect.poll(() => page.getByTestId('takedown-time').count()).toBe(1);
      expect(await page.getByTestId('takedown-time').innerText()).toMatch(/停止までの時間: \d+h \d+m/);
      await coordination.getByTestId('coordination-to-acted').click();
      await expect.poll(() => coordination.getAttribute('data-state')).toBe('acted');
      await coordination.getByTestId('coordination-to-closed').click();
      await expect.poll(() => coordination.getAttribute('data-state')).toBe('closed');
      await page.getByTestId('incident-status-select').click();
      await page.getByRole('option', { name: '完了' }).click();
      await expect.poll(() => page.getByTestId('incident-status').getAttribute('data-status')).toBe('closed');

      // The timeline holds every step in order.
      const kinds = await page.getByTestId('timeline-event').evaluateAll((items) => items.map((item) => item.getAttribute('data-kind')));
      expect(kinds).toEqual([
        'created',
        'report_linked',
        'coordination_created',
        'message_out',
        'coordination_state',
        'message_in',
        'coordination_state',
        'updated',
        'updated',
        'coordination_state',
        'coordination_state',
        'updated',
      ]);
      const stored = await db
        .selectFrom('incidents')
        .select(['brand', 'brand_sector', 'brand_domestic', 'hosting_type', 'site_down_at', 'first_reported_at', 'status'])
        .executeTakeFirstOrThrow();
      expect(stored).toMatchObject({ brand: '例示銀行', brand_sector: '金融', brand_domestic: true, hosting_type: '共用ホスティング', status: 'closed' });
      expect(stored.site_down_at!.getTime()).toBeGreaterThanOrEqual(stored.first_reported_at!.getTime());

      // 7. The public statistics page counts one report, one incident and one coordination in the phishing category.
      await page.goto(`${baseUrl}/statistics?lang=ja`);
      const statistics = page.getByTestId('statistics-phishing');
      await expect.poll(() => statistics.count()).toBe(1);
      expect(await statistics.getAttribute('data-reports')).toBe('1');
      expect(await statistics.getAttribute('data-incidents')).toBe('1');
      expect(await statistics.getAttribute('data-coordinations')).toBe('1');
      expect(await pwned(page)).toBeUndefined();
    });

    it('Should show a report with script and HTML payloads as text in the triage queue and on the report page, with nothing run', async () => {
      const { t, baseUrl, page } = ctx();
      const script = '<script>window.__pwned=1</script>';
      const img = '<img src=x onerror="window.__pwned=2">';
      const reference = await fileReport(page, baseUrl, {
        category: 'malware_site',
        indicators: 'hxxps://evil[.]example/<svg/onload=window.__pwned=3>',
        description: `${script}${img} 不審なサイト\n<a href="javascript:window.__pwned=4">ここをクリック</a>`,
        name: `${img}攻撃者`,
        email: 'attacker@reporter.example',
      });
      const analyst = await t.createUser(['analyst']);
      await page.context().clearCookies();
      await login(page, baseUrl, analyst);
      await page.getByTestId('nav-triage').click();
      const row = page.getByTestId('triage-row').filter({ hasText: reference });
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.getByTestId('triage-title').innerText()).toBe(`${script}${img} 不審なサイト`);
      expect(await row.innerText()).toContain(`${img}攻撃者`);
      await row.getByTestId('triage-open').click();
      await expect.poll(() => page.getByTestId('report-reference').innerText()).toBe(reference);
      expect(await page.getByTestId('report-title').innerText()).toBe(`${script}${img} 不審なサイト`);
      const description = page.getByTestId('report-description');
      // Form posts end lines with CRLF, kept as received.
      const text = (await description.innerText()).replace(/\r\n/g, '\n');
      expect(text).toContain(`${script}${img} 不審なサイト\n<a href="javascript:window.__pwned=4">ここをクリック</a>`);
      expect(text).toContain('hxxps://evil[.]example/<svg/onload=window.__pwned=3>');
      expect(await description.locator('*').count()).toBe(0);
      expect(await page.getByTestId('report-reporter').innerText()).toContain(`${img}攻撃者`);
      // Nothing from the report became an element, and nothing in it ran.
      expect(await page.locator('img[src="x"], svg[onload], a[href^="javascript:"], main script').count()).toBe(0);
      expect(await pwned(page)).toBeUndefined();
    });
  },
  { smtp: true, env: { RENKEI_INTAKE_ADDRESS: INTAKE, RENKEI_SMTP_RELAY: sink.url } },
);
