import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, onTestFailed } from 'vitest';
import { type SmtpListener, startSmtpListener } from '../mail/index.ts';
import { type TestApp, createTestApp } from './test-app.ts';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
export const chromiumPath = CANDIDATES.find((candidate) => fs.existsSync(candidate)) ?? null;
const required = process.env.RENKEI_REQUIRE_BROWSER === '1';
const screenshotDir = path.resolve(import.meta.dirname, '../../../../test-results');

// Flags that keep Chromium quiet on a closed network: no background fetches, no sync, no updates.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface BrowserContext {
  t: TestApp;
  baseUrl: string;
  page: Page;
  /** The app's data directory (blob store) when `dataDir` was asked for; null otherwise. */
  dataDir: string | null;
  /** The port of the app's real SMTP listener on 127.0.0.1 when `smtp` was asked for; null otherwise. */
  smtpPort: number | null;
}

export interface BrowserOptions {
  /** Extra settings for the app (RENKEI_* variables), e.g. RENKEI_INTAKE_ADDRESS. */
  env?: NodeJS.ProcessEnv;
  /** Give the app a real temporary data directory (needed by anything that stores blobs, e.g. mail); removed afterwards. */
  dataDir?: boolean;
  /** Start the app's SMTP intake listener on a free loopback port (implies dataDir). */
  smtp?: boolean;
}

/**
 * A describe block for browser tests: a real server on 127.0.0.1 and Debian's Chromium through
 * playwright-core. Without Chromium it skips with one line, unless RENKEI_REQUIRE_BROWSER=1 (CI),
 * where it fails. A failing test leaves a screenshot in test-results/.
 */
export function describeInBrowser(name: string, body: (ctx: () => BrowserContext) => void, options: BrowserOptions = {}): void {
  if (!chromiumPath && !required) {
    describe.skip(`${name} (skipped: no Chromium installed; apt-get install chromium to run browser tests)`, () => body(() => undefined as never));
    return;
  }
  describe(name, () => {
    let browser: Browser;
    let current: BrowserContext;
    let smtp: SmtpListener | null = null;
    let dataDir: string | null = null;
    beforeAll(async () => {
      if (!chromiumPath) throw new Error('RENKEI_REQUIRE_BROWSER=1 but no Chromium was found (apt-get install chromium)');
      if (options.dataDir || options.smtp) dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-browser-'));
      const t = await createTestApp({ ...options.env, ...(dataDir ? { RENKEI_DATA_DIR: dataDir } : {}) });
      if (options.smtp) smtp = await startSmtpListener(t.services.mail, { host: '127.0.0.1', port: 0, socketTimeoutSeconds: 20 });
      const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
      browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true });
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      // Anything not on loopback is refused before it leaves: tests stay on 127.0.0.1.
      await context.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost)[:/]).*/, (route) => route.abort());
      current = { t, baseUrl: address, page: await context.newPage(), dataDir, smtpPort: smtp?.port ?? null };
    });
    afterEach(() => undefined);
    afterAll(async () => {
      await browser?.close();
      await smtp?.close();
      await current?.t.services.jobs.stop({ timeoutMs: 2000 });
      await current?.t.close();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    });
    body(() => {
      onTestFailed(async ({ task }) => {
        fs.mkdirSync(screenshotDir, { recursive: true });
        const file = path.join(screenshotDir, `${task.name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 80)}.png`);
        await current.page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
        console.error(`Screenshot of the failure: ${file}`);
      });
      return current;
    });
  });
}
