import { expect, it } from 'vitest';
import { buildCoordination, buildIncident, buildReport } from '../../src/statistics/statistics.factories.ts';
import { describeInBrowser } from '../../src/testing/browser.ts';

describeInBrowser('Statistics in a real browser', (ctx) => {
  it(
    'Should draw the staff statistics charts (ECharts, SVG, loaded on demand) with tables beside them, in Japanese, with no CSP violation',
    { timeout: 60_000 },
    async () => {
      const { t, baseUrl, page } = ctx();
      const db = t.database.db;
      const report = await buildReport(db, { receivedAt: '2026-04-10T00:00:00Z', category: 'phishing' });
      const incident = await buildIncident(db, {
        createdAt: '2026-04-10T01:00:00Z',
        category: 'phishing',
        reportIds: [report],
        brandSector: 'Finance',
        brandDomestic: true,
        firstReportedAt: '2026-04-10T00:00:00Z',
        siteDownAt: '2026-04-12T00:00:00Z',
      });
      await buildCoordination(db, { incidentId: incident, sentAt: '2026-04-10T02:00:00Z' });
      await buildReport(db, { receivedAt: '2026-05-01T00:00:00Z', category: 'scan' });
      const user = await t.createUser(['publisher']);
      await db.updateTable('users').set({ locale: 'ja' }).where('id', '=', user.id).execute();

      const violations: string[] = [];
      // The server's tsconfig has no DOM types, so the page-side code is given as text.
      await page.addInitScript({
        content:
          "window.__violations = []; document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.effectiveDirective + ': ' + e.blockedURI));",
      });
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy|EvalError/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(`${baseUrl}/app/login?next=%2Fstatistics`);
      await page.getByTestId('login-email').fill(user.email);
      await page.getByTestId('login-password').fill(user.password);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('statistics-page').waitFor();

      await page.getByTestId('statistics-from').fill('2026-04');
      await page.getByTestId('statistics-to').fill('2026-06');
      await page.getByTestId('statistics-apply').click();
      const sideBySide = page.getByTestId('table-side-by-side');
      await expect.poll(() => sideBySide.locator('tbody tr').first().innerText()).toMatch(/2026-04\s+1\s+1\s+1/);
      expect(await sideBySide.locator('tbody tr').nth(1).innerText()).toMatch(/2026-05\s+1\s+0\s+0/);
      expect(await page.getByTestId('table-side-by-side').locator('thead').innerText()).toContain('報告件数');

      // The charts are SVG drawn by ECharts, loaded as their own chunk after the page.
      await expect.poll(() => page.getByTestId('chart-by-category').locator('svg').count(), { timeout: 15_000 }).toBe(1);
      await expect.poll(() => page.getByTestId('chart-side-by-side').locator('svg path').count()).toBeGreaterThan(0);
      await expect.poll(() => page.getByTestId('chart-takedown').locator('svg').count()).toBe(1);
      expect(await page.getByTestId('table-takedown').locator('tr[data-bucket="1_to_3_days"]').innerText()).toMatch(/1〜3日\s+1/);

      // FY2026 Q1 (the quarter of the range's end) beside FY2025 Q4, with CSV and JSON downloads.
      await page.getByTestId('statistics-fy').click();
      await page.getByRole('option', { name: '2026年度' }).click();
      await page.getByTestId('statistics-quarter').click();
      await page.getByRole('option', { name: '第1四半期' }).click();
      const reports = page.getByTestId('comparison-reports');
      await expect.poll(() => reports.locator('tr[data-category="phishing"]').innerText()).toMatch(/フィッシングサイト\s+1\s+0\s+0\s+1\s+0\s+\+1/);
      const csv = page.getByTestId('statistics-comparison').getByTestId('download-csv');
      expect(await csv.getAttribute('href')).toBe('/api/v1/statistics/incidents/quarterly?fy=2026&q=1&format=csv');
      const download = await page.request.get(`${baseUrl}${await csv.getAttribute('href')}`);
      expect(download.status()).toBe(200);
      expect((await download.text()).split('\r\n')).toContain('phishing,reports,1,0,0,1,0,1');

      if (process.env.RENKEI_SCREENSHOT_STATISTICS) await page.screenshot({ path: process.env.RENKEI_SCREENSHOT_STATISTICS, fullPage: true });
      const seen = await page.evaluate<string[]>('window.__violations ?? []');
      expect([...violations, ...seen]).toEqual([]);
    },
  );
});
