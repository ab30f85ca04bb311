/**
 * Reduces an HTML body (untrusted input) to plain text: the only form in which Renkei ever shows it.
 * Scripts, styles and comments vanish with their content; block ends become line breaks; entities are
 * decoded once. The result is text: whoever displays it must still escape it (React does).
 * @example htmlToText('<p>Hi <b>there</b><script>x()</script></p>') // 'Hi there'
 */
export function htmlToText(html: string, maxChars = 2 * 1024 * 1024): string {
  let s = html.length > maxChars ? html.slice(0, maxChars) : html;
  s = s.replace(/<!--[\s\S]*?(-->|$)/g, '');
  s = s.replace(/<(script|style|head|template|noscript|iframe|object|svg|math)\b[\s\S]*?(<\/\1\s*>|$)/gi, '');
  s = s.replace(/<br\s*\/?>/gi, '\n');
  s = s.replace(/<\/(p|div|li|tr|h[1-6]|blockquote|pre|table|section|article|header|footer)\s*>/gi, '\n');
  s = s.replace(/<(td|th)\b[^>]*>/gi, '\t');
  s = s.replace(/<li\b[^>]*>/gi, '• ');
  s = s.replace(/<[^>]*>?/g, '');
  s = decodeEntities(s);
  s = s
    .replace(/[ \t\u00a0]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/[ \t\u00a0]{2,}/g, ' ');
  return s.trim();
}

const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  copy: '©',
  reg: '®',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  laquo: '«',
  raquo: '»',
  yen: '¥',
};

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      // Control characters and surrogates are dropped rather than smuggled into the text.
      if (!Number.isFinite(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || (code < 0x20 && code !== 0x09 && code !== 0x0a)) return '';
      return String.fromCodePoint(code);
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}
