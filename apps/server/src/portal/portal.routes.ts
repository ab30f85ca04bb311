import type { FastifyPluginAsync } from 'fastify';
import { html } from './html.ts';
import { PORTAL_CSS } from './layout.ts';
import type { PublicSite } from './public-site.ts';

/** Only http(s) addresses become links; anything else (javascript:, data:) is shown as text. */
function isWebAddress(value: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(value);
}

/** The public site: server-rendered, no JavaScript, ja/en. Its stylesheet and home page; other domains add their pages. */
export const portalRoutes: FastifyPluginAsync<{ site: PublicSite }> = async (app, { site }) => {
  app.get('/assets/portal.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(PORTAL_CSS),
  );

  app.get('/', { schema: { hide: true } }, async (request, reply) =>
    site.render(request, reply, ({ locale, site: t, team, teamName }) => ({
      title: t('home.title'),
      path: '/',
      body: html` <section>
          <h1>${teamName}</h1>
          <p>${t('home.intro')}</p>
        </section>
        <section>
          <h2>${t('home.contact')}</h2>
          <dl>
            ${
              team?.contactEmail
                ? html`<dt>${t('home.email')}</dt>
                    <dd><a href="mailto:${team.contactEmail}">${team.contactEmail}</a></dd>`
                : ''
            }
            ${
              team?.contactPhone
                ? html`<dt>${t('home.phone')}</dt>
                    <dd>${team.contactPhone}</dd>`
                : ''
            }
            ${
              team?.website
                ? html`<dt>${t('home.website')}</dt>
                    <dd>${isWebAddress(team.website) ? html`<a href="${team.website}">${team.website}</a>` : team.website}</dd>`
                : ''
            }
          </dl>
          <p>${t('home.pgp')}</p>
        </section>
        <section>
          <h2>${t('home.reporting')}</h2>
          <p><a href="/report?lang=${locale}">${t('home.reportIncident')}</a></p>
          <p><a href="/vulnerability-report?lang=${locale}">${t('home.reportVulnerability')}</a></p>
        </section>
        <section>
          <h2>${t('home.statistics')}</h2>
          <p><a href="/statistics?lang=${locale}">${t('home.statisticsLink')}</a></p>
        </section>`,
    })),
  );
};
