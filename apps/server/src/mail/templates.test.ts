import { describe, expect, it } from 'vitest';
import { findTemplate, renderTemplate, withTlpBody, withTlpSubject } from './templates.ts';

describe('TLP labels', () => {
  it('Should put exactly one label, the one sent, first in the subject', () => {
    expect(withTlpSubject('Scan from your network', 'TLP:GREEN')).toBe('[TLP:GREEN] Scan from your network');
    expect(withTlpSubject('[TLP:GREEN] Scan', 'TLP:GREEN')).toBe('[TLP:GREEN] Scan');
    expect(withTlpSubject('Re: [TLP:GREEN] [IR-2026-000001] Scan', 'TLP:AMBER')).toBe('[TLP:AMBER] Re: [IR-2026-000001] Scan');
    expect(withTlpSubject('[TLP:AMBER+STRICT] Scan', 'TLP:AMBER')).toBe('[TLP:AMBER] Scan');
    expect(withTlpSubject('[tlp:white] old label', 'TLP:CLEAR')).toBe('[TLP:CLEAR] old label');
  });

  it('Should keep a label that is only mentioned in the subject text, not bracketed', () => {
    expect(withTlpSubject('What TLP:RED means', 'TLP:CLEAR')).toBe('[TLP:CLEAR] What TLP:RED means');
  });

  it('Should put the label on the first line of the body unless that line is exactly it', () => {
    expect(withTlpBody('Details', 'TLP:AMBER')).toBe('TLP:AMBER\n\nDetails');
    expect(withTlpBody('TLP:AMBER\n\nDetails', 'TLP:AMBER')).toBe('TLP:AMBER\n\nDetails');
    expect(withTlpBody('TLP:AMBER+STRICT\n\nDetails', 'TLP:AMBER')).toBe('TLP:AMBER\n\nTLP:AMBER+STRICT\n\nDetails');
  });

  it('Should render the label untranslated in both languages', () => {
    for (const language of ['en', 'ja'] as const) {
      const rendered = renderTemplate(findTemplate('report-acknowledgement'), language, { name: 'n', reference: 'IR-1', team: 'T' }, 'TLP:AMBER+STRICT');
      expect(rendered.subject.startsWith('[TLP:AMBER+STRICT] ')).toBe(true);
      expect(rendered.text.startsWith('TLP:AMBER+STRICT\n\n')).toBe(true);
      expect(rendered.html).toContain('<strong>TLP:AMBER+STRICT</strong>');
    }
  });
});
