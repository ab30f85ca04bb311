import { CATEGORY_LABELS, INCIDENT_CATEGORIES, type Locale, TLP_LEVELS } from '@renkei/contract';
import { type SafeHtml, type Translate, html, problemsAlert } from '../portal/index.ts';
import type { ReportView } from './incidents.service.ts';
import { type REPORT_PAGE_STRINGS, STATUS_LABEL, TLP_HELP } from './report-portal.strings.ts';

// The HTML of the public report pages (the frame and the flow are in report-portal.routes.ts).

export type T = Translate<keyof typeof REPORT_PAGE_STRINGS.entries>;

export const LIMITS = { indicators: 200_000, description: 50_000, name: 200, email: 254, organisation: 200, reply: 20_000 };

/** The report form's body: the fields, the values given so far and what to correct. */
export function reportFormBody(locale: Locale, t: T, values: Record<string, string>, problems: string[], guardFields: SafeHtml): SafeHtml {
  return html` <section>
    <h1>${t('title')}</h1>
    <p>${t('intro')}</p>
    ${problemsAlert(t('problems'), problems)}
    <form method="post" action="/report?lang=${locale}" accept-charset="utf-8">
      ${guardFields}
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
      <p><button type="submit">${t('submit')}</button></p>
    </form>
  </section>`;
}

/** The reporter's status page: the report, the messages and the reply form. */
export function statusBody(report: ReportView, reference: string, token: string, locale: Locale, t: T, guardFields: SafeHtml): SafeHtml {
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
        ${guardFields}
        <input type="hidden" name="ref" value="${reference}" />
        <input type="hidden" name="token" value="${token}" />
        <p><label for="body">${t('reply')}</label><br /><textarea id="body" name="body" rows="6" cols="70"></textarea></p>
        <p><button type="submit">${t('send')}</button></p>
      </form>
    </section>`;
}
