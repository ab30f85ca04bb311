import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Locale } from '@renkei/contract';
import { LANG_COOKIE, pickLocale } from '../i18n/locale.ts';
import { type FormGuard, type SpendToken, createFormGuard } from './form-guard.ts';
import type { SafeHtml } from './html.ts';
import { renderPage } from './layout.ts';
import { SITE_STRINGS, type SiteStringKey, type Translate } from './strings.ts';

// The public site may not even inline styles: its stylesheet is a file like any other. No script at all;
// forms post to this site only. (The SVG chart of the statistics page uses presentation attributes.)
export const PUBLIC_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** What the public site shows of the team that runs it. */
export interface PublicTeam {
  name: string;
  nameJa: string | null;
  contactEmail: string | null;
  contactPhone: string | null;
  website: string | null;
}

/** Reads the team's public identity; injected so its owner (the team-identity service) can change. */
export type TeamSource = () => Promise<PublicTeam | null>;

export interface PublicSiteOptions {
  team: TeamSource;
  /** The site's form key (`formKey(db)`), for every form's token. */
  formKey: () => Promise<Buffer>;
  /** Where single-use forms record spent tokens (`spentFormTokens(db)`). */
  spendToken: SpendToken;
  secureCookies: boolean;
}

/** What a page's builder gets: the chosen language, the frame's strings, and the team. */
export interface PageContext {
  locale: Locale;
  /** The kit's own strings; a page's own catalogue is `MY_STRINGS.in(locale)`. */
  site: Translate<SiteStringKey>;
  team: PublicTeam | null;
  /** The team's name in this language, or 'Renkei' before the team is set up. */
  teamName: string;
}

/** One page: its title (before the team name in <title>), its body, and its path without `lang` for the language link. */
export interface Page {
  title: string;
  path: string;
  body: SafeHtml;
}

export interface PageOptions {
  /** Default 200. Pages answer 200 and say on the page what is wrong; 4xx codes are the API's. */
  status?: number;
  /** `no-store` for anything personal; `{ maxAgeSeconds }` for public figures. Default: no header. */
  cache?: 'no-store' | { maxAgeSeconds: number };
  /**
   * The page carries a form that posts back here. Sets `Referrer-Policy: same-origin` instead of the
   * site's `no-referrer`: under no-referrer Chromium sends `Origin: null` with the form's own POST, which
   * the CSRF check refuses; same-origin still keeps a page's tokens out of any other site's Referer.
   */
  form?: boolean;
}

export interface PublicSite {
  /** The language of this request: `?lang=`, then the remembered cookie, then Accept-Language. */
  locale(request: FastifyRequest): Locale;
  /** Sends a page in the site's frame with the site's headers, and remembers an explicit `?lang=` choice. */
  render(request: FastifyRequest, reply: FastifyReply, build: (context: PageContext) => Page | Promise<Page>, options?: PageOptions): Promise<FastifyReply>;
  /** The guard (token and honeypot) of one form; `purpose` names the form, so tokens do not cross between forms. */
  /** The guard of one form; `singleUse`: each token files once (a form that creates something). */
  formGuard(purpose: string, options?: { singleUse?: boolean }): FormGuard;
}

/**
 * The public site's kit: frame, headers, language choice and form guards. Routes get one instance.
 * @example app.get('/notes', hidden, (request, reply) => site.render(request, reply, ({ locale }) => ({ title: 'Notes', path: '/notes', body: html`…` })));
 */
export function createPublicSite(options: PublicSiteOptions): PublicSite {
  const guards = new Map<string, FormGuard>();
  const site: PublicSite = {
    locale(request) {
      const query = request.query as Record<string, unknown> | undefined;
      return pickLocale({ query: query?.lang, cookie: request.cookies[LANG_COOKIE], acceptLanguage: request.headers['accept-language'] });
    },

    async render(request, reply, build, pageOptions = {}) {
      const locale = site.locale(request);
      const query = request.query as Record<string, unknown> | undefined;
      if (query?.lang === 'ja' || query?.lang === 'en')
        void reply.setCookie(LANG_COOKIE, locale, { path: '/', sameSite: 'lax', httpOnly: true, secure: options.secureCookies, maxAge: 365 * 86400 });
      const team = await options.team();
      const teamName = (locale === 'ja' ? team?.nameJa : null) ?? team?.name ?? 'Renkei';
      const page = await build({ locale, site: SITE_STRINGS.in(locale), team, teamName });
      void reply
        .status(pageOptions.status ?? 200)
        .type('text/html; charset=utf-8')
        .header('content-security-policy', PUBLIC_CSP)
        .header('content-language', locale);
      const { cache } = pageOptions;
      if (cache) void reply.header('cache-control', cache === 'no-store' ? 'no-store' : `public, max-age=${cache.maxAgeSeconds}`);
      if (pageOptions.form) void reply.header('referrer-policy', 'same-origin');
      return reply.header('vary', 'Accept-Language, Cookie').send(renderPage({ locale, title: page.title, teamName, path: page.path, body: page.body }));
    },

    formGuard(purpose, { singleUse = false } = {}) {
      let guard = guards.get(purpose);
      if (!guard) guards.set(purpose, (guard = createFormGuard({ purpose, key: options.formKey, ...(singleUse ? { spend: options.spendToken } : {}) })));
      return guard;
    },
  };
  return site;
}
