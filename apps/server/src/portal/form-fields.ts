import { type SafeHtml, html } from './html.ts';
import type { PageOptions } from './public-site.ts';

/**
 * The options of a page that is personal or carries a form: never cached, Referrer-Policy same-origin
 * (see `PageOptions.form`). Every page of a public form's flow uses them.
 */
export const FORM_PAGE: PageOptions = { cache: 'no-store', form: true };

/**
 * One text field of a posted form (untrusted input: any field may be missing, repeated or not text): the
 * first string given, else ''.
 * @example formField({ name: ['a', 'b'] }, 'name') // 'a'
 */
export function formField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '';
}

/**
 * An address a person could have meant: one @, no spaces, brackets or quotes, parts of sane length.
 * @example looksLikeEmail('yamada@example.jp') // true
 */
export function looksLikeEmail(value: string): boolean {
  return /^[^\s@<>()",;:\\[\]]{1,64}@[^\s@<>()",;:\\[\]]{1,253}$/.test(value);
}

/**
 * What the person must correct, above a form shown again: nothing when there is nothing.
 * @example problemsAlert(t('problems'), [t('badEmail')])
 */
export function problemsAlert(heading: string, problems: readonly string[]): SafeHtml | '' {
  if (problems.length === 0) return '';
  return html`<div role="alert">
    <h2>${heading}</h2>
    <ul>
      ${problems.map((p) => html`<li>${p}</li>`)}
    </ul>
  </div>`;
}
