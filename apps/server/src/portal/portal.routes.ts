import type { FastifyPluginAsync } from 'fastify';
import { selfOrganisation } from '../accounts/index.ts';
import { LANG_COOKIE, pickLocale } from '../i18n/locale.ts';
import type { Database } from '../db/database.ts';
import { html } from './html.ts';
import { PORTAL_CSS, renderPage } from './layout.ts';

// The public site may not even inline styles: its stylesheet is a file like any other.
const PORTAL_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** Only http(s) addresses become links; anything else (javascript:, data:) is shown as text. */
function isWebAddress(value: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(value);
}

/** The public site: server-rendered, no JavaScript, ja/en. Later domains add notes, alerts, statistics. */
export const portalRoutes: FastifyPluginAsync<{ services: { database: Database }; secureCookies: boolean }> = async (app, { services, secureCookies }) => {
  app.get('/assets/portal.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(PORTAL_CSS),
  );

  app.get('/', { schema: { hide: true } }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const locale = pickLocale({ query: query.lang, cookie: request.cookies[LANG_COOKIE], acceptLanguage: request.headers['accept-language'] });
    if (query.lang === 'ja' || query.lang === 'en')
      void reply.setCookie(LANG_COOKIE, locale, { path: '/', sameSite: 'lax', httpOnly: true, secure: secureCookies, maxAge: 365 * 86400 });
    const team = await selfOrganisation(services.database.db);
    const teamName = (locale === 'ja' ? team?.name_ja : null) ?? team?.name ?? 'Renkei';
    const ja = locale === 'ja';
    const body = html`
<section>
  <h1>${teamName}</h1>
  <p>${ja ? 'インシデントの報告、脆弱性情報の届出、各種お問い合わせを受け付けています。' : 'We receive incident reports, vulnerability reports and enquiries, and coordinate their handling with the parties who can act.'}</p>
</section>
<section>
  <h2>${ja ? '連絡先' : 'Contact'}</h2>
  <dl>
    ${team?.contact_email ? html`<dt>${ja ? '電子メール' : 'E-mail'}</dt><dd><a href="mailto:${team.contact_email}">${team.contact_email}</a></dd>` : ''}
    ${team?.contact_phone ? html`<dt>${ja ? '電話' : 'Telephone'}</dt><dd>${team.contact_phone}</dd>` : ''}
    ${team?.website ? html`<dt>${ja ? 'ウェブサイト' : 'Website'}</dt><dd>${isWebAddress(team.website) ? html`<a href="${team.website}">${team.website}</a>` : team.website}</dd>` : ''}
  </dl>
  <p>${ja ? '機密性の高い情報は PGP で暗号化してお送りください。' : 'Please encrypt sensitive information with PGP.'}</p>
</section>
<section>
  <h2>${ja ? '統計' : 'Statistics'}</h2>
  <p><a href="/statistics?lang=${locale}">${ja ? 'インシデント統計(報告・インシデント・調整の件数、四半期ごと)' : 'Incident statistics: reports, incidents and coordinations per quarter'}</a></p>
</section>`;
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', PORTAL_CSP)
      .header('content-language', locale)
      .header('vary', 'Accept-Language, Cookie')
      .send(renderPage({ locale, title: ja ? 'ホーム' : 'Home', teamName, path: '/', body }));
  });
};
