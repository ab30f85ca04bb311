// The public portal's manifest: the home page, and the page frame and escaping other public pages use.
export { portalRoutes } from './portal.routes.ts';
export { type SafeHtml, html } from './html.ts';
export { renderPage } from './layout.ts';
// The public-site kit every public page is built on: frame, headers, language, form guard, strings.
export { type Page, type PageOptions, type PublicSite, type PublicTeam, type TeamSource, createPublicSite } from './public-site.ts';
export { type FormGuard, formKey, spentFormTokens } from './form-guard.ts';
export { FORM_PAGE, formField, looksLikeEmail, problemsAlert } from './form-fields.ts';
export { type FormFile, type MultipartFormLimits, type MultipartProblem, readMultipartForm, registerMultipartForms } from './multipart-form.ts';
export { type Translate, type Translations, defineStrings, stringProblems } from './strings.ts';
