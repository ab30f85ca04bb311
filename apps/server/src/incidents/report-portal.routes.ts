import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { CATEGORY_LABELS, INCIDENT_CATEGORIES, type IncidentCategory, type Locale, TLP_LEVELS, type TlpLevel, isTlpLevel } from '@renkei/contract';
import { selfOrganisation } from '../accounts/accounts.repository.ts';
import type { Config } from '../config.ts';
import type { Schema } from '../db/schema/index.ts';
import { publicFormRateLimit } from '../http/rate-limit.ts';
import { LANG_COOKIE, pickLocale } from '../i18n/locale.ts';
import { type SafeHtml, html } from '../portal/html.ts';
import { renderPage } from '../portal/layout.ts';
import type { IncidentsService, ReportView } from './incidents.service.ts';

// Like the rest of the public site: no script at all, styles from our own stylesheet only, forms post here only.
// Pages answer 200 and say on the page what is wrong (a form to correct, a link that matches nothing): 4xx
// codes are the API's, always in the JSON error shape.
const REPORT_CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/** A form token is good for this long after the form was shown… */
const TOKEN_MAX_AGE_MS = 2 * 3600_000;
/** …and not before this: a person does not fill in a form in under a second. */
const TOKEN_MIN_AGE_MS = 1000;

type Texts = Record<string, { en: string; ja: string }>;
const T = {
  title: { en: 'Report an incident', ja: 'インシデントの報告' },
  intro: {
    en: 'Tell us about a phishing site, a defaced or malicious web site, scans, attacks or anything else. Fields marked * are required.',
    ja: 'フィッシングサイト、改ざんや不正なサイト、スキャン、攻撃などについてお知らせください。* は必須項目です。',
  },
  category: { en: 'What happened', ja: '事象の種類' },
  indicators: {
    en: 'URLs, domains or IP addresses (one per line; defanged forms like hxxp:// and [.] are fine)',
    ja: 'URL、ドメイン名、IPアドレス(1行に1つ。hxxp:// や [.] で無害化した形式でも構いません)',
  },
  description: { en: 'Description *', ja: '内容 *' },
  name: { en: 'Your name', ja: 'お名前' },
  email: { en: 'Your e-mail address (for our questions and answers)', ja: 'メールアドレス(確認やご連絡のため)' },
  organisation: { en: 'Organisation', ja: '組織名' },
  tlp: { en: 'How may we share it (TLP)', ja: '情報の取り扱い(TLP)' },
  honeypot: { en: 'Leave this field empty', ja: 'この欄は空のままにしてください' },
  submit: { en: 'Send report', ja: '報告する' },
  received: { en: 'Report received', ja: '報告を受け付けました' },
  reference: { en: 'Your reference number', ja: '受付番号' },
  keepLink: {
    en: 'Keep this link: it is the only way to follow and answer your report, and it is shown only now.',
    ja: '次のリンクを保存してください。報告の状況確認と返信にはこのリンクが必要で、表示されるのは今回限りです。',
  },
  follow: { en: 'Follow your report', ja: '報告の状況を確認する' },
  status: { en: 'Report status', ja: '報告の状況' },
  state: { en: 'Status', ja: '状況' },
  receivedAt: { en: 'Received', ja: '受付日時' },
  messages: { en: 'Messages', ja: 'メッセージ' },
  noMessages: { en: 'No messages yet.', ja: 'まだメッセージはありません。' },
  you: { en: 'You', ja: 'あなた' },
  team: { en: 'Our team', ja: '当チーム' },
  reply: { en: 'Add information or answer us', ja: '情報の追加・返信' },
  send: { en: 'Send', ja: '送信' },
  notFound: {
    en: 'No report matches this reference and link. Check that you copied the whole link.',
    ja: '受付番号とリンクに一致する報告がありません。リンク全体をコピーしたかご確認ください。',
  },
  problems: { en: 'Please correct the following', ja: '次の点をご確認ください' },
  needDescription: {
    en: 'Describe what happened (or give at least one URL, domain or IP address).',
    ja: '内容を記入するか、URL・ドメイン名・IPアドレスを1つ以上入力してください。',
  },
  badEmail: { en: 'The e-mail address does not look right.', ja: 'メールアドレスの形式が正しくありません。' },
  tooLong: { en: 'A field is too long.', ja: '入力が長すぎる項目があります。' },
  staleForm: {
    en: 'The form expired or was not sent from this page. Please send it again.',
    ja: 'フォームの有効期限が切れたか、このページから送信されていません。もう一度送信してください。',
  },
  capped: { en: 'Your report named very many indicators; we kept the first ones.', ja: '指標の数が非常に多いため、先頭の一部のみを受け付けました。' },
  statuses: { en: 'new', ja: '新規' },
} satisfies Texts;
const STATUS_LABEL: Record<ReportView['status'], { en: string; ja: string }> = {
  new: { en: 'Received, not yet reviewed', ja: '受付済み(未確認)' },
  triaged: { en: 'Reviewed', ja: '確認済み' },
  linked: { en: 'Being handled', ja: '対応中' },
  discarded: { en: 'Closed without action', ja: '対応不要として終了' },
  closed: { en: 'Closed', ja: '終了' },
};
const TLP_HELP: Record<TlpLevel, { en: string; ja: string }> = {
  clear: { en: 'TLP:CLEAR: may be shared publicly', ja: 'TLP:CLEAR: 公開可' },
  green: { en: 'TLP:GREEN: within the security community', ja: 'TLP:GREEN: セキュリティコミュニティ内で共有可' },
  amber: { en: 'TLP:AMBER: only with those who need to act (default)', ja: 'TLP:AMBER: 対応に必要な組織のみ(既定)' },
  'amber+strict': { en: 'TLP:AMBER+STRICT: only within the organisations we contact', ja: 'TLP:AMBER+STRICT: 連絡先組織の内部のみ' },
  red: { en: 'TLP:RED: not to be shared', ja: 'TLP:RED: 共有不可' },
};

const LIMITS = { indicators: 200_000, description: 50_000, name: 200, email: 254, organisation: 200, reply: 20_000 };

/** The form token: issued-at and a nonce, signed with the instance's form key (in the database). */
function formTokens(db: Kysely<Schema>) {
  let key: Promise<Buffer> | null = null;
  const load = () =>
    (key ??= (async () => {
      await db
        .insertInto('report_form_keys')
        .values({ id: 1, key: randomBytes(32) })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return (await db.selectFrom('report_form_keys').select('key').where('id', '=', 1).executeTakeFirstOrThrow()).key;
    })().catch((error: unknown) => {
      key = null;
      throw error;
    }));
  const sign = async (payload: string) =>
    createHmac('sha256', await load())
      .update(payload)
      .digest('base64url');
  return {
    async issue(now = Date.now()): Promise<string> {
      const payload = `${now.toString(36)}.${randomBytes(9).toString('base64url')}`;
      return `${payload}.${await sign(payload)}`;
    },
    async check(token: unknown, now = Date.now()): Promise<boolean> {
      if (typeof token !== 'string' || token.length > 200) return false;
      const parts = token.split('.');
      if (parts.length !== 3) return false;
      const issued = parseInt(parts[0]!, 36);
      if (!Number.isFinite(issued) || now - issued > TOKEN_MAX_AGE_MS || now - issued < TOKEN_MIN_AGE_MS) return false;
      const expected = Buffer.from(await sign(`${parts[0]}.${parts[1]}`));
      const given = Buffer.from(parts[2]!);
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}

const field = (body: Record<string, unknown>, name: string): string => {
  const value = body[name];
  return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '';
};

/** The public report form at /report and the reporter's status page at /report/status. No JavaScript. */
export const reportPortalRoutes: FastifyPluginAsync<{ incidents: IncidentsService; db: Kysely<Schema>; config: Config }> = async (
  app,
  { incidents, db, config },
) => {
  const tokens = formTokens(db);
  const hidden = { hide: true };

  async function frame(
    request: FastifyRequest,
    reply: FastifyReply,
    build: (locale: Locale, t: (key: keyof typeof T) => string) => { title: string; body: SafeHtml; path: string },
    status = 200,
  ) {
    const query = request.query as Record<string, unknown>;
    const locale = pickLocale({ query: query.lang, cookie: request.cookies[LANG_COOKIE], acceptLanguage: request.headers['accept-language'] });
    if (query.lang === 'ja' || query.lang === 'en')
      void reply.setCookie(LANG_COOKIE, locale, { path: '/', sameSite: 'lax', httpOnly: true, secure: config.secureCookies, maxAge: 365 * 86400 });
    const team = await selfOrganisation(db);
    const teamName = (locale === 'ja' ? team?.name_ja : null) ?? team?.name ?? 'Renkei';
    const page = build(locale, (key) => T[key][locale]);
    return (
      reply
        .status(status)
        .type('text/html; charset=utf-8')
        .header('content-security-policy', REPORT_CSP)
        .header('content-language', locale)
        .header('cache-control', 'no-store')
        // Not no-referrer: under it Chromium sends `Origin: null` with the form's own POST, which the CSRF
        // check refuses. same-origin still keeps the status page's token out of any other site's Referer.
        .header('referrer-policy', 'same-origin')
        .header('vary', 'Accept-Language, Cookie')
        .send(renderPage({ locale, title: page.title, teamName, path: page.path, body: page.body }))
    );
  }

  async function form(request: FastifyRequest, reply: FastifyReply, values: Record<string, string> = {}, problems: string[] = [], status = 200) {
    const token = await tokens.issue();
    return frame(
      request,
      reply,
      (locale, t) => ({
        title: t('title'),
        path: '/report',
        body: html` <section>
          <h1>${t('title')}</h1>
          <p>${t('intro')}</p>
          ${
            problems.length > 0
              ? html`<div role="alert">
                  <h2>${t('problems')}</h2>
                  <ul>
                    ${problems.map((p) => html`<li>${p}</li>`)}
                  </ul>
                </div>`
              : ''
          }
          <form method="post" action="/report?lang=${locale}" accept-charset="utf-8">
            <input type="hidden" name="form_token" value="${token}" />
            <p>
              <label for="category">${t('category')}</label><br />
              <select id="category" name="category">
                ${INCIDENT_CATEGORIES.map((c) => html`<option value="${c}" ${values.category === c ? html` selected` : ''}>${CATEGORY_LABELS[c][locale]}</option>`)}
              </select>
            </p>
            <p>
              <label for="indicators">${t('indicators')}</label><br /><textarea id="indicators" name="indicators" rows="4" cols="70">
${values.indicators ?? ''}</textarea>
            </p>
            <p>
              <label for="description">${t('description')}</label><br /><textarea id="description" name="description" rows="8" cols="70">
${values.description ?? ''}</textarea>
            </p>
            <p><label for="name">${t('name')}</label><br /><input id="name" name="name" maxlength="${LIMITS.name}" value="${values.name ?? ''}" /></p>
            <p>
              <label for="email">${t('email')}</label><br /><input
                id="email"
                name="email"
                type="email"
                maxlength="${LIMITS.email}"
                value="${values.email ?? ''}"
              />
            </p>
            <p>
              <label for="organisation">${t('organisation')}</label><br /><input
                id="organisation"
                name="organisation"
                maxlength="${LIMITS.organisation}"
                value="${values.organisation ?? ''}"
              />
            </p>
            <p>
              <label for="tlp">${t('tlp')}</label><br />
              <select id="tlp" name="tlp">
                ${TLP_LEVELS.map((level) => html`<option value="${level}" ${(values.tlp ?? 'amber') === level ? html` selected` : ''}>${TLP_HELP[level][locale]}</option>`)}
              </select>
            </p>
            <div hidden><label for="website">${t('honeypot')}</label><input id="website" name="website" tabindex="-1" autocomplete="off" value="" /></div>
            <p><button type="submit">${t('submit')}</button></p>
          </form>
        </section>`,
      }),
      status,
    );
  }

  function statusBody(report: ReportView, reference: string, token: string, locale: Locale, t: (key: keyof typeof T) => string, formToken: string): SafeHtml {
    return html` <section>
        <h1>${t('status')}: ${report.reference}</h1>
        <dl>
          <dt>${t('state')}</dt>
          <dd>${STATUS_LABEL[report.status][locale]}</dd>
          <dt>${t('receivedAt')}</dt>
          <dd>${report.receivedAt.toISOString().replace('T', ' ').slice(0, 16)} UTC</dd>
          <dt>${t('description')}</dt>
          <dd><pre>${report.description}</pre></dd>
        </dl>
      </section>
      <section>
        <h2>${t('messages')}</h2>
        ${
          report.messages.length === 0
            ? html`<p>${t('noMessages')}</p>`
            : html`<ol>
                ${report.messages.map(
                  (m) =>
                    html`<li>
                      <strong>${m.author === 'reporter' ? t('you') : t('team')}</strong> (${m.at.toISOString().slice(0, 16).replace('T', ' ')} UTC)
                      <pre>${m.body}</pre>
                    </li>`,
                )}
              </ol>`
        }
        <form method="post" action="/report/status?lang=${locale}" accept-charset="utf-8">
          <input type="hidden" name="form_token" value="${formToken}" />
          <input type="hidden" name="ref" value="${reference}" />
          <input type="hidden" name="token" value="${token}" />
          <p><label for="body">${t('reply')}</label><br /><textarea id="body" name="body" rows="6" cols="70"></textarea></p>
          <p><button type="submit">${t('send')}</button></p>
        </form>
      </section>`;
  }

  app.get('/report', { schema: hidden }, async (request, reply) => form(request, reply));

  app.post('/report', { schema: hidden, config: publicFormRateLimit(config) }, async (request, reply) => {
    // request.body is untrusted input: every field may be anything, repeated, or missing.
    const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
    const values = Object.fromEntries(
      ['category', 'indicators', 'description', 'name', 'email', 'organisation', 'tlp'].map((name) => [name, field(body, name)]),
    );
    const query = request.query as Record<string, unknown>;
    const locale = pickLocale({ query: query.lang, cookie: request.cookies[LANG_COOKIE], acceptLanguage: request.headers['accept-language'] });
    const t = (key: keyof typeof T) => T[key][locale];
    const problems: string[] = [];
    if (!(await tokens.check(body.form_token))) problems.push(t('staleForm'));
    if (!values.description!.trim() && !values.indicators!.trim()) problems.push(t('needDescription'));
    if (values.email && !/^[^\s@<>()",;:\\[\]]{1,64}@[^\s@<>()",;:\\[\]]{1,253}$/.test(values.email)) problems.push(t('badEmail'));
    if ((Object.keys(LIMITS) as (keyof typeof LIMITS)[]).some((k) => k in values && values[k]!.length > LIMITS[k])) problems.push(t('tooLong'));
    if (problems.length > 0) return form(request, reply, Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.slice(0, 50_000)])), problems);
    // A filled honeypot is a robot: it gets a page that looks like success and nothing is stored.
    if (field(body, 'website') !== '') {
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
    const formToken = await tokens.issue();
    return frame(request, reply, (locale, t) => ({
      title: `${t('status')}: ${report.reference}`,
      path: `/report/status?ref=${encodeURIComponent(reference)}&token=${encodeURIComponent(token)}`,
      body: statusBody(report, reference, token, locale, t, formToken),
    }));
  });

  app.post('/report/status', { schema: hidden, config: publicFormRateLimit(config) }, async (request, reply) => {
    const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
    const reference = field(body, 'ref');
    const token = field(body, 'token');
    const text = field(body, 'body').slice(0, LIMITS.reply);
    if (!(await tokens.check(body.form_token))) return notFound(request, reply);
    const report = text.trim() ? await incidents.reporterReply(reference, token, text, request.ip) : await incidents.reportForReporter(reference, token);
    if (!report) return notFound(request, reply);
    const query = request.query as Record<string, unknown>;
    const lang = query.lang === 'ja' || query.lang === 'en' ? `&lang=${query.lang}` : '';
    return reply
      .header('referrer-policy', 'same-origin')
      .redirect(`/report/status?ref=${encodeURIComponent(reference)}&token=${encodeURIComponent(token)}${lang}`, 303);
  });
};
