import type { FastifyPluginAsync } from 'fastify';
import { type SafeHtml, html } from './html.ts';
import { PORTAL_CSS } from './layout.ts';
import type { PublicSite } from './public-site.ts';
import type { SiteStringKey } from './strings.ts';

/** Only http(s) addresses become links; anything else (javascript:, data:) is shown as text. */
function isWebAddress(value: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(value);
}

/** A fingerprint as people compare it: groups of four hex digits (`ABCD 1234 …`). */
export function groupFingerprint(fingerprint: string): string {
  return fingerprint.toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');
}

export interface PortalOptions {
  site: PublicSite;
  /** The instance PGP key's fingerprint (the directory's), shown on the home page; null before one is made. */
  instanceKeyFingerprint?: () => Promise<string | null>;
}

/** The public site: server-rendered, no JavaScript, ja/en. Its stylesheet and home page; other domains add their pages. */
export const portalRoutes: FastifyPluginAsync<PortalOptions> = async (app, { site, instanceKeyFingerprint }) => {
  app.get('/assets/portal.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(PORTAL_CSS),
  );

  app.get('/', { schema: { hide: true } }, async (request, reply) =>
    site.render(request, reply, async ({ locale, site: t, team, teamName }) => ({
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
          ${await pgpKeyLine(instanceKeyFingerprint, t)}
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

async function pgpKeyLine(fingerprint: PortalOptions['instanceKeyFingerprint'], t: (key: SiteStringKey) => string): Promise<SafeHtml | ''> {
  const value = fingerprint ? await fingerprint() : null;
  if (!value) return '';
  return html`<p>
    <a href="/pgp-key.txt">${t('home.pgpKey')}</a><br />
    ${t('home.fingerprint')}: <code data-fingerprint="${value}">${groupFingerprint(value)}</code>
  </p>`;
}
