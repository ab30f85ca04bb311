import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, createTestApp } from '../testing/test-app.ts';
import { quarterOf } from './periods.ts';
import { buildCoordination, buildIncident, buildReport } from './statistics.factories.ts';

let t: TestApp;
const SECRET = ['Secret Bank of Examples', 'hxxps://login.secret-bank.example/verify', 'victim@secret.example', '<script>alert(1)</script>', 'INC-2026-'];
const now = new Date();
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000).toISOString();

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  // In the current quarter (seeded a little before now, and after the quarter began in Tokyo time).
  const report = await buildReport(db, {
    receivedAt: hoursAgo(0.02),
    category: 'phishing',
    title: `${SECRET[0]} ${SECRET[3]}`,
    description: `${SECRET[1]} ${SECRET[2]}`,
  });
  const incident = await buildIncident(db, {
    createdAt: hoursAgo(0.01),
    category: 'phishing',
    title: `${SECRET[0]} ${SECRET[1]}`,
    reportIds: [report],
    brand: SECRET[0],
    brandSector: `Finance ${SECRET[3]}`,
    brandDomestic: true,
    firstReportedAt: hoursAgo(0.02),
    siteDownAt: hoursAgo(0.005),
  });
  await buildCoordination(db, { incidentId: incident, sentAt: hoursAgo(0.01) });
  // TLP:RED is never counted publicly.
  const red = await buildIncident(db, {
    createdAt: hoursAgo(0.01),
    category: 'ics',
    tlp: 'red',
    title: SECRET[0],
    reportIds: [await buildReport(db, { receivedAt: hoursAgo(0.02), category: 'ics', tlp: 'red', title: SECRET[0] })],
  });
  await buildCoordination(db, { incidentId: red, sentAt: hoursAgo(0.01) });
  // FY2025 Q4 (January–March 2026 in Tokyo) and Q3, for the comparison.
  await buildReport(db, { receivedAt: '2026-03-31T20:00:00Z', category: 'scan' }); // April 1st JST: FY2026 Q1
  await buildReport(db, { receivedAt: '2026-03-31T14:00:00Z', category: 'scan' }); // March 31st JST: FY2025 Q4
  await buildReport(db, { receivedAt: '2025-12-01T00:00:00Z', category: 'scan' });
  await buildReport(db, { receivedAt: '2025-12-02T00:00:00Z', category: 'scan' });
});
afterAll(() => t.close());

async function page(query: string, headers: Record<string, string> = {}) {
  const response = await t.app.inject({ url: `/statistics${query}`, headers });
  expect(response.statusCode).toBe(200);
  return response;
}

/** The page with the layout whitespace of its templates taken out (between tags, inside tags), so tests read structure. */
const compact = (body: string) => body.replace(/<[^>]+>/g, (tag) => tag.replace(/\s+/g, ' ').replace(/ (\/?)>$/, '$1>')).replace(/>\s+</g, '><');

const cellOf = (body: string, testId: string) => new RegExp(`data-testid="${testId}">(\\d+)<`).exec(body)?.[1];

describe('the public statistics page', () => {
  it("Should count this quarter's phishing report, incident and coordination in English, leaving TLP:RED out", async () => {
    const response = await page('?lang=en');
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-language']).toBe('en');
    const body = compact(response.body);
    expect(body).toContain('<html lang="en">');
    expect(body).toContain('<h1>Incident statistics</h1>');
    expect(body).toContain('to date, as of');
    expect(cellOf(body, 'reports-phishing-current')).toBe('1');
    expect(cellOf(body, 'incidents-phishing-current')).toBe('1');
    expect(cellOf(body, 'coordinations-phishing-current')).toBe('1');
    expect(cellOf(body, 'incidents-ics-current')).toBe('0');
    expect(cellOf(body, 'coordinations-total-current')).toBe('1');
    // The row the end-to-end browser test reads: this quarter's three counts as attributes.
    expect(body).toContain('<tr data-testid="statistics-phishing" data-reports="1" data-incidents="1" data-coordinations="1">');
    expect(body).toContain('<tr data-testid="statistics-ics" data-reports="0" data-incidents="0" data-coordinations="0">');
    expect(body).toContain('Phishing site');
    expect(body).toContain('<td data-bucket="under_1_day">1</td>');
    expect(body).toMatch(/<tr data-origin="domestic"><th scope="row">Domestic brand<\/th><td>1<\/td>/);
  });

  it('Should show the same counts in Japanese', async () => {
    const body = (await page('?lang=ja')).body;
    expect(body).toContain('<html lang="ja">');
    expect(body).toContain('<h1>インシデント統計</h1>');
    expect(body).toContain('フィッシングサイト');
    expect(body).toContain('報告件数');
    expect(body).toContain('調整件数');
    expect(body).toContain('前四半期');
    expect(cellOf(body, 'reports-phishing-current')).toBe('1');
    expect(cellOf(body, 'coordinations-phishing-current')).toBe('1');
  });

  it('Should show an earlier quarter beside the one before it, counted in Tokyo time (FY2026 Q1 against FY2025 Q4)', async () => {
    const body = compact((await page('?fy=2026&q=1&lang=en')).body);
    expect(body).toContain('FY2026 Q1 (Apr 2026 – Jun 2026)');
    expect(body).not.toContain('to date');
    expect(body).toMatch(
      /<tr data-category="scan"><th scope="row">Scan<\/th><td>1<\/td><td>0<\/td><td>0<\/td><td data-column="current" data-testid="reports-scan-current">1<\/td><td data-column="previous">1<\/td><td data-column="change">±0 \(±0%\)<\/td>/,
    );
    const q4 = compact((await page('?fy=2025&q=4&lang=ja')).body);
    expect(q4).toContain('2025年度 第4四半期(2026年1月〜2026年3月)');
    expect(q4).toMatch(/data-testid="reports-scan-current">1<\/td><td data-column="previous">2<\/td><td data-column="change">−1 \(−50%\)</);
    expect(q4).toContain('href="/statistics?fy=2025&#38;q=3&#38;lang=ja"');
  });

  it('Should show the current quarter with a note for a quarter not begun yet or a malformed one', async () => {
    const current = quarterOf(Number(now.getUTCFullYear()) * 12 + now.getUTCMonth() + 12, 4);
    for (const query of [`?fy=${current.fiscalYear}&q=${current.quarter}&lang=en`, '?fy=abc&q=9&lang=en', '?fy=2026&q=1&fy=2027&lang=en']) {
      const body = (await page(query)).body;
      expect(body, query).toContain('That quarter cannot be shown');
      expect(cellOf(body, 'reports-phishing-current')).toBe('1');
    }
  });

  it('Should leak no titles, brands, URLs, addresses or references, and carry no script, inline style or event handler', async () => {
    for (const query of ['?lang=en', '?lang=ja', '?fy=2026&q=1']) {
      const response = await page(query);
      for (const secret of SECRET) expect(response.body, secret).not.toContain(secret);
      expect(response.body).not.toContain('secret-bank');
      expect(response.body).not.toMatch(/<script|\sstyle=|\son[a-z]+=|javascript:/i);
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toMatch(/script-src|unsafe-inline|unsafe-eval/);
    }
  });

  it('Should draw the last 12 months as a static SVG chart with a table of the same numbers', async () => {
    const body = (await page('?lang=en')).body;
    const svg = /<svg[\s\S]*?<\/svg>/.exec(body)?.[0] ?? '';
    expect(svg).toContain('role="img"');
    expect(svg).toContain('Phishing site: 1</title>');
    expect(svg.match(/<text[^>]*text-anchor="middle"/g)).toHaveLength(12);
    expect(body).toContain('data-table="monthly"');
  });

  it('Should be linked from the portal home page in both languages', async () => {
    expect((await t.app.inject({ url: '/?lang=en' })).body).toContain('<a href="/statistics?lang=en">Incident statistics');
    expect((await t.app.inject({ url: '/?lang=ja' })).body).toContain('<a href="/statistics?lang=ja">インシデント統計');
  });
});
