import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { CATEGORY_LABELS, INCIDENT_CATEGORIES, type IncidentCategory, type Locale, isTlpLevel } from '@renkei/contract';
import type { Config } from '../config.ts';
import { publicFormRateLimit } from '../http/rate-limit.ts';
import { FORM_PAGE, type Page, type PublicSite, formField as field, html, looksLikeEmail } from '../portal/index.ts';
import type { IncidentsService } from './incidents.service.ts';
import { LIMITS, type T, reportFormBody, statusBody } from './report-portal.pages.ts';
import { REPORT_PAGE_STRINGS } from './report-portal.strings.ts';

/** The public report form at /report and the reporter's status page at /report/status. No JavaScript. */
// Pages answer 200 and say on the page what is wrong (a form to correct, a link that matches nothing): 4xx
// codes are the API's, always in the JSON error shape.
export const reportPortalRoutes: FastifyPluginAsync<{ incidents: IncidentsService; site: PublicSite; config: Config }> = async (
  app,
  { incidents, site, config },
) => {
  // A report form's token files one report; resubmitting it (or racing it) is refused.
  const reportGuard = site.formGuard('report', { singleUse: true });
  const replyGuard = site.formGuard('report-reply');
  const hidden = { hide: true };

  /** A page of this form's flow, in the site's frame, with this page's strings. */
  const frame = (request: FastifyRequest, reply: FastifyReply, build: (locale: Locale, t: T) => Page | Promise<Page>, status = 200) =>
    site.render(request, reply, ({ locale }) => build(locale, REPORT_PAGE_STRINGS.in(locale)), { ...FORM_PAGE, status });

  async function form(request: FastifyRequest, reply: FastifyReply, values: Record<string, string> = {}, problems: string[] = [], status = 200) {
    return frame(
      request,
      reply,
      async (locale, t) => ({
        title: t('title'),
        path: '/report',
        body: reportFormBody(locale, t, values, problems, await reportGuard.fields(locale)),
      }),
      status,
    );
  }

  app.get('/report', { schema: hidden }, async (request, reply) => form(request, reply));

  app.post('/report', { schema: hidden, config: publicFormRateLimit(config) }, async (request, reply) => {
    // request.body is untrusted input: every field may be anything, repeated, or missing.
    const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
    const values = Object.fromEntries(
      ['category', 'indicators', 'description', 'name', 'email', 'organisation', 'tlp'].map((name) => [name, field(body, name)]),
    );
    const locale = site.locale(request);
    const t = REPORT_PAGE_STRINGS.in(locale);
    const verdict = await reportGuard.verify(body);
    const problems: string[] = [];
    if (!verdict.fresh) problems.push(t('staleForm'));
    if (!values.description!.trim() && !values.indicators!.trim()) problems.push(t('needDescription'));
    if (values.email && !looksLikeEmail(values.email)) problems.push(t('badEmail'));
    if ((Object.keys(LIMITS) as (keyof typeof LIMITS)[]).some((k) => k in values && values[k]!.length > LIMITS[k])) problems.push(t('tooLong'));
    if (problems.length > 0) return form(request, reply, Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.slice(0, 50_000)])), problems);
    // A filled honeypot is a robot: it gets a page that looks like success and nothing is stored.
    if (verdict.robot) {
      return frame(request, reply, () => ({ title: t('received'), path: '/report', body: html`<section><h1>${t('received')}</h1></section>` }));
    }
    const category = (INCIDENT_CATEGORIES as readonly string[]).includes(values.category!) ? (values.category as IncidentCategory) : 'other';
    const tlp = isTlpLevel(values.tlp) ? values.tlp : 'amber';
    const indicators = values
      .indicators!.split(/\r?\n/)
      .map((line) => line.trim())
      .filter(Boolean);
    const firstLine = values.description!.trim().split(/\r?\n/)[0]!.slice(0, 120);
    const result = await incidents.createReport(request.ctx, {
      channel: 'web',
      title: firstLine || indicators[0]?.slice(0, 120) || CATEGORY_LABELS[category][locale],
      description: [values.description, indicators.length > 0 ? `\n${indicators.join('\n')}` : ''].join(''),
      category,
      tlp,
      reporter: { name: values.name || undefined, email: values.email || undefined, organisation: values.organisation || undefined, language: locale },
      observables: indicators.filter((line) => !/\s/.test(line)).slice(0, 20_000),
      raw: { text: JSON.stringify(values), contentType: 'application/x-www-form-urlencoded' },
      withFollowUpToken: true,
      clientAddress: request.ip,
    });
    const link = `/report/status?ref=${encodeURIComponent(result.report.reference)}&token=${encodeURIComponent(result.followUpToken!)}&lang=${locale}`;
    return frame(
      request,
      reply,
      () => ({
        title: t('received'),
        path: '/report',
        body: html` <section>
          <h1>${t('received')}</h1>
          <p>${t('reference')}: <strong>${result.report.reference}</strong></p>
          ${result.observablesDropped > 0 ? html`<p>${t('capped')}</p>` : ''}
          <p>${t('keepLink')}</p>
          <p><a href="${link}">${t('follow')}</a></p>
          <p><code>${new URL(link, config.publicUrl).toString()}</code></p>
        </section>`,
      }),
      201,
    );
  });

  const notFound = (request: FastifyRequest, reply: FastifyReply) =>
    frame(request, reply, (_locale, t) => ({
      title: t('status'),
      path: '/report/status',
      body: html`<section>
        <h1>${t('status')}</h1>
        <p>${t('notFound')}</p>
      </section>`,
    }));

  app.get('/report/status', { schema: hidden, config: publicFormRateLimit(config) }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const reference = typeof query.ref === 'string' ? query.ref : '';
    const token = typeof query.token === 'string' ? query.token : '';
    const report = await incidents.reportForReporter(reference, token);
    if (!report) return notFound(request, reply);
    return frame(request, reply, async (locale, t) => ({
      title: `${t('status')}: ${report.reference}`,
      path: `/report/status?ref=${encodeURIComponent(reference)}&token=${encodeURIComponent(token)}`,
      body: statusBody(report, reference, token, locale, t, await replyGuard.fields(locale, { honeypot: false })),
    }));
  });

  app.post('/report/status', { schema: hidden, config: publicFormRateLimit(config) }, async (request, reply) => {
    const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
    const reference = field(body, 'ref');
    const token = field(body, 'token');
    const text = field(body, 'body').slice(0, LIMITS.reply);
    if (!(await replyGuard.verify(body)).fresh) return notFound(request, reply);
    const report = text.trim() ? await incidents.reporterReply(reference, token, text, request.ip) : await incidents.reportForReporter(reference, token);
    if (!report) return notFound(request, reply);
    const query = request.query as Record<string, unknown>;
    const lang = query.lang === 'ja' || query.lang === 'en' ? `&lang=${query.lang}` : '';
    return reply
      .header('referrer-policy', 'same-origin')
      .redirect(`/report/status?ref=${encodeURIComponent(reference)}&token=${encodeURIComponent(token)}${lang}`, 303);
  });
};
