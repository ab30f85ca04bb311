import type { Locale } from '@renkei/contract';
import { type SafeHtml, html } from './html.ts';
import { SITE_STRINGS } from './strings.ts';

export interface PageFrame {
  locale: Locale;
  title: string;
  teamName: string;
  /** Path of this page without the lang parameter, for the language links. */
  path: string;
  body: SafeHtml;
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",sans-serif;margin:0;color:#1a1b1e;background:#f8f9fa;line-height:1.6}
header,main,footer{max-width:60rem;margin:0 auto;padding:1rem 1.5rem}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #dee2e6;background:#fff;max-width:none}
header .brand{font-weight:700;font-size:1.2rem;color:#1864ab;text-decoration:none}
nav a{margin-left:1rem;color:#1864ab}
main section{background:#fff;border:1px solid #dee2e6;border-radius:8px;padding:1rem 1.5rem;margin:1rem 0}
dt{font-weight:600}dd{margin:0 0 .5rem 0}
footer{color:#868e96;font-size:.85rem}
table.stats{border-collapse:collapse;width:100%;margin:1rem 0;font-variant-numeric:tabular-nums}
table.stats caption{text-align:left;font-weight:700;padding:.25rem 0}
table.stats th,table.stats td{border:1px solid #dee2e6;padding:.25rem .5rem;text-align:right}
table.stats th[scope=row],table.stats thead th:first-child{text-align:left}
table.stats thead th{background:#f1f3f5}
table.stats tr.total{font-weight:700}
figure{margin:0}
.note{color:#c92a2a}`;

/** The public site's frame: header with the team name and language switch, footer. No script. */
export function renderPage(frame: PageFrame): string {
  const other: Locale = frame.locale === 'ja' ? 'en' : 'ja';
  const t = SITE_STRINGS.in(frame.locale);
  const separator = frame.path.includes('?') ? '&' : '?';
  return `<!doctype html>${
    html`<html lang="${frame.locale}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${frame.title} | ${frame.teamName}</title>
        <link rel="stylesheet" href="/assets/portal.css" />
      </head>
      <body>
        <header>
          <a class="brand" href="/?lang=${frame.locale}">${frame.teamName}</a>
          <nav>
            <a href="${frame.path}${separator}lang=${other}" hreflang="${other}" lang="${other}">${t('frame.otherLanguage')}</a>
            <a href="/app/">${t('frame.staffLogin')}</a>
          </nav>
        </header>
        <main>${frame.body}</main>
        <footer>Renkei · ${t('frame.footer')}</footer>
      </body>
    </html>`.value
  }`;
}

export const PORTAL_CSS = STYLE;
