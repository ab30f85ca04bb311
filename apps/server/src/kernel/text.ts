/**
 * Untrusted text made storable: PostgreSQL text cannot hold NUL, and lone surrogates survive neither UTF-8
 * nor jsonb, so NUL is dropped and a lone surrogate becomes U+FFFD. `max` cuts first (in UTF-16 units).
 * @example cleanText('a\u0000b\uD800', 10) // 'ab\uFFFD'
 */
export function cleanText(value: string | undefined | null, max = Number.POSITIVE_INFINITY): string {
  if (!value) return '';
  return (
    value
      .slice(0, max)
      // eslint-disable-next-line no-control-regex -- NUL is exactly what must go
      .replace(/\u0000/g, '')
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
  );
}
