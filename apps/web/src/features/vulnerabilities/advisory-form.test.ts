import { ADVISORY_LIMITS, type AdvisoryContent, type AdvisorySections } from '@renkei/contract';
import { describe, expect, it } from 'vitest';
import { type AdvisoryForm, advisoryFormErrors, fromForm, isWebAddress, productLines, toForm } from './advisory-form.ts';

const sections = (title: string): AdvisorySections => ({
  title,
  overview: 'Overview',
  affectedProducts: ['Acme Router 2.4', 'Globex Switch'],
  description: 'Stored XSS',
  impact: '',
  solution: 'Update',
  vendorInformation: [
    {
      organisationId: null,
      vendor: 'Acme',
      vulnerability: 'XSS',
      product: 'Router',
      status: 'vulnerable',
      statusLabel: 'Vulnerable',
      fixedVersions: '2.4.1',
      statement: '<b>fixed</b>',
    },
  ],
  references: [{ title: 'CVE-2026-0001', url: 'https://www.cve.org/CVERecord?id=CVE-2026-0001' }],
  coordinatorNotes: '',
  cvss: [{ vulnerability: 'XSS', version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', score: 6.1 }],
  cwe: [{ vulnerability: 'XSS', id: 'CWE-79', name: 'Cross-site Scripting' }],
  credit: '',
  history: [{ date: '2026-12-05', note: 'Published' }],
});
const content: AdvisoryContent = { ja: sections('タイトル'), en: sections('Title') };
const form = (): AdvisoryForm => toForm(content);

describe('the advisory form', () => {
  it('Should give back the same content it was made from', () => {
    expect(fromForm(form())).toEqual(content);
    expect(form().en.affectedProducts).toBe('Acme Router 2.4\nGlobex Switch');
  });

  it('Should keep the server-built tables as they came, and not share them with the content it was made from', () => {
    const values = form();
    values.en.vendorInformation[0]!.vendor = 'changed';
    expect(content.en.vendorInformation[0]!.vendor).toBe('Acme');
    expect(fromForm(form()).ja.cvss).toEqual(content.ja.cvss);
  });

  it('Should take product lines in any line-ending, dropping blank lines and outer spaces', () => {
    expect(productLines('  a \r\n\r\nb\rc\n\n  \n')).toEqual(['a', 'b', 'c']);
    expect(productLines('')).toEqual([]);
  });

  it('Should drop empty reference and history rows, and keep markup as the characters it is', () => {
    const values = form();
    values.en.references.push({ title: '  ', url: '' });
    values.en.history.push({ date: '', note: ' ' });
    values.en.overview = '<script>alert(1)</script>';
    const sent = fromForm(values);
    expect(sent.en.references).toHaveLength(1);
    expect(sent.en.history).toHaveLength(1);
    expect(sent.en.overview).toBe('<script>alert(1)</script>');
    expect(advisoryFormErrors(values)).toEqual({});
  });

  it('Should accept only http and https references', () => {
    for (const bad of [
      'javascript:alert(1)',
      'data:text/html,<script>x</script>',
      'vbscript:x',
      'ftp://example.net/',
      '//example.net',
      'not a url',
      ' ',
      'http//x',
    ]) {
      expect(isWebAddress(bad), bad).toBe(false);
      const values = form();
      values.ja.references = [{ title: 'x', url: bad }];
      expect(advisoryFormErrors(values), bad).toEqual({ 'ja.references.0.url': 'advisory.form.notWebAddress' });
    }
    expect(isWebAddress(' https://vendor.example/advisory?id=1#a ')).toBe(true);
    expect(isWebAddress('HTTP://EXAMPLE.NET')).toBe(true);
  });

  it('Should name the field at fault for an empty title, a huge section, too many or too long lines', () => {
    const values = form();
    values.en.title = '   ';
    values.ja.impact = 'x'.repeat(ADVISORY_LIMITS.text + 1);
    values.en.affectedProducts = Array.from({ length: ADVISORY_LIMITS.items + 1 }, (_, i) => `p${i}`).join('\n');
    values.ja.affectedProducts = 'y'.repeat(ADVISORY_LIMITS.line + 1);
    values.en.history = [{ date: '9'.repeat(33), note: 'z'.repeat(ADVISORY_LIMITS.line + 1) }];
    values.note = 'n'.repeat(ADVISORY_LIMITS.line + 1);
    expect(advisoryFormErrors(values)).toEqual({
      'en.title': 'advisory.form.titleRequired',
      'ja.impact': 'advisory.form.textTooLong',
      'en.affectedProducts': 'advisory.form.tooManyLines',
      'ja.affectedProducts': 'advisory.form.lineTooLong',
      'en.history.0.date': 'advisory.form.lineTooLong',
      'en.history.0.note': 'advisory.form.lineTooLong',
      note: 'advisory.form.lineTooLong',
    });
  });

  it('Should refuse a document over the size limit though every field is within its own', () => {
    const values = form();
    for (const lang of ['ja', 'en'] as const) {
      for (const key of ['overview', 'description', 'impact', 'solution', 'coordinatorNotes', 'credit'] as const) values[lang][key] = '脆'.repeat(49_000);
    }
    expect(advisoryFormErrors(values)).toEqual({ note: 'advisory.form.tooLarge' });
  });
});
