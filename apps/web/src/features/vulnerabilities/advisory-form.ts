import { ADVISORY_LIMITS, type AdvisoryContent, type AdvisorySections } from '@renkei/contract';

/*
 * The advisory editor's form values and the rules it checks before sending: the server checks them
 * again (it is the authority); these only let the editor point at the field at fault, in the user's
 * language, before a round trip. Pure functions, tested with hostile and oversized input.
 */

export type Lang = 'ja' | 'en';
export const LANGS: readonly Lang[] = ['ja', 'en'];

/** One language of the form: the affected products as one line each in a text area, the rest as the contract has it. */
export type SectionsForm = Omit<AdvisorySections, 'affectedProducts'> & { affectedProducts: string };
export interface AdvisoryForm {
  ja: SectionsForm;
  en: SectionsForm;
  note: string;
}

/** The text sections, in JVN's order, edited as text areas side by side in ja and en. */
export const TEXT_SECTIONS = ['overview', 'description', 'impact', 'solution', 'coordinatorNotes', 'credit'] as const;
export type TextSection = (typeof TEXT_SECTIONS)[number];

const toSections = (s: AdvisorySections): SectionsForm => ({ ...structuredClone(s), affectedProducts: s.affectedProducts.join('\n') });

/** @example toForm(view.latest.content).ja.affectedProducts // 'Acme Router\nGlobex Switch' */
export function toForm(content: AdvisoryContent): AdvisoryForm {
  return { ja: toSections(content.ja), en: toSections(content.en), note: '' };
}

/** The product lines: one per line, blank lines and surrounding spaces dropped. */
export function productLines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

const fromSections = (s: SectionsForm): AdvisorySections => ({
  ...s,
  title: s.title.trim(),
  affectedProducts: productLines(s.affectedProducts),
  references: s.references.map((r) => ({ title: r.title.trim(), url: r.url.trim() })).filter((r) => r.title !== '' || r.url !== ''),
  history: s.history.map((h) => ({ date: h.date.trim(), note: h.note.trim() })).filter((h) => h.date !== '' || h.note !== ''),
});

/** The content to send. @example reviseAdvisory(caseId, { content: fromForm(values), note: values.note }) */
export function fromForm(values: AdvisoryForm): AdvisoryContent {
  return { ja: fromSections(values.ja), en: fromSections(values.en) };
}

/** An http or https address, as the server requires of a reference. */
export function isWebAddress(text: string): boolean {
  try {
    const url = new URL(text.trim());
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** What is wrong with the form, as i18n keys by field path (Mantine form's error map); empty when it may be sent. */
export function advisoryFormErrors(values: AdvisoryForm): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const lang of LANGS) {
    const s = values[lang];
    if (s.title.trim() === '') errors[`${lang}.title`] = 'advisory.form.titleRequired';
    if (s.title.length > ADVISORY_LIMITS.line) errors[`${lang}.title`] = 'advisory.form.lineTooLong';
    for (const key of TEXT_SECTIONS) if (s[key].length > ADVISORY_LIMITS.text) errors[`${lang}.${key}`] = 'advisory.form.textTooLong';
    const products = productLines(s.affectedProducts);
    if (products.length > ADVISORY_LIMITS.items) errors[`${lang}.affectedProducts`] = 'advisory.form.tooManyLines';
    else if (products.some((line) => line.length > ADVISORY_LIMITS.line)) errors[`${lang}.affectedProducts`] = 'advisory.form.lineTooLong';
    s.references.forEach((r, i) => {
      if (r.title.trim() === '' && r.url.trim() === '') return;
      if (!isWebAddress(r.url)) errors[`${lang}.references.${i}.url`] = 'advisory.form.notWebAddress';
      else if (r.url.length > ADVISORY_LIMITS.line) errors[`${lang}.references.${i}.url`] = 'advisory.form.lineTooLong';
      if (r.title.length > ADVISORY_LIMITS.line) errors[`${lang}.references.${i}.title`] = 'advisory.form.lineTooLong';
    });
    s.history.forEach((h, i) => {
      if (h.note.length > ADVISORY_LIMITS.line) errors[`${lang}.history.${i}.note`] = 'advisory.form.lineTooLong';
      if (h.date.length > 32) errors[`${lang}.history.${i}.date`] = 'advisory.form.lineTooLong';
    });
  }
  if (values.note.length > ADVISORY_LIMITS.line) errors.note = 'advisory.form.lineTooLong';
  if (Object.keys(errors).length === 0 && new TextEncoder().encode(JSON.stringify(fromForm(values))).length > ADVISORY_LIMITS.documentBytes)
    errors.note = 'advisory.form.tooLarge';
  return errors;
}
