/**
 * Just enough MIME on raw bytes for what a parser that decodes cannot give back: the exact bytes of
 * a part (a PGP/MIME signature covers the first part of multipart/signed byte for byte, RFC 3156 §5).
 * Everything here is untrusted input; it works on Buffers and never decodes bodies.
 */

export interface RawEntity {
  /** Header lines unfolded, names lower-cased, in order. */
  headers: [string, string][];
  /** The bytes of the header block (without the blank line). */
  headerBytes: Buffer;
  body: Buffer;
  /** The whole entity: headers, blank line and body. */
  bytes: Buffer;
}

export interface ContentType {
  /** Lower-case `type/subtype`; `text/plain` when absent. */
  mediaType: string;
  /** Parameters with lower-case names. */
  params: Record<string, string>;
}

/** Splits an entity at its first blank line (CRLF or LF). A message with no blank line is all headers. */
export function splitEntity(bytes: Buffer): RawEntity {
  let end = -1;
  let bodyStart = bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (bytes[i + 1] === 0x0a) {
      end = i + 1;
      bodyStart = i + 2;
      break;
    }
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) {
      end = i + 1;
      bodyStart = i + 3;
      break;
    }
  }
  // An entity that starts with a blank line has no headers.
  if (bytes[0] === 0x0a || (bytes[0] === 0x0d && bytes[1] === 0x0a)) {
    end = 0;
    bodyStart = bytes[0] === 0x0a ? 1 : 2;
  }
  const headerBytes = end < 0 ? bytes : bytes.subarray(0, end);
  const body = end < 0 ? Buffer.alloc(0) : bytes.subarray(bodyStart);
  return { headers: parseHeaderBlock(headerBytes.toString('latin1')), headerBytes, body, bytes };
}

function parseHeaderBlock(text: string): [string, string][] {
  const headers: [string, string][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      const last = headers[headers.length - 1]!;
      last[1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return headers;
}

export function headerValue(entity: Pick<RawEntity, 'headers'>, name: string): string | undefined {
  return entity.headers.find(([key]) => key === name)?.[1];
}

/** Parses `type/subtype; a=b; c="d"`. Unreadable values give `text/plain`, as RFC 2045 §5.2 says. */
export function parseContentType(value: string | undefined): ContentType {
  if (!value) return { mediaType: 'text/plain', params: {} };
  const [first = '', ...rest] = splitParams(value);
  const mediaType = first.trim().toLowerCase();
  const params: Record<string, string> = {};
  for (const param of rest) {
    const eq = param.indexOf('=');
    if (eq <= 0) continue;
    let v = param.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params[param.slice(0, eq).trim().toLowerCase()] = v;
  }
  return { mediaType: /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(mediaType) ? mediaType : 'text/plain', params };
}

function splitParams(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && quoted) {
      current += c + (value[i + 1] ?? '');
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (c === ';' && !quoted) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

/**
 * The body parts of a multipart body, each exactly as sent: from after the delimiter line to before
 * the CRLF that precedes the next delimiter (RFC 2046 §5.1.1). Stops at the close delimiter.
 */
export function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  if (!boundary || boundary.length > 200) return [];
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Buffer[] = [];
  let partStart = -1;
  let lineStart = 0;
  while (lineStart <= body.length) {
    let lineEnd = body.indexOf(0x0a, lineStart);
    if (lineEnd < 0) lineEnd = body.length;
    const line = body.subarray(lineStart, lineEnd);
    if (line.length >= delimiter.length && line.subarray(0, delimiter.length).equals(delimiter)) {
      const rest = line.subarray(delimiter.length).toString('latin1');
      const closing = rest.startsWith('--');
      if (/^(--)?[ \t\r]*$/.test(rest)) {
        if (partStart >= 0) {
          // The line break before the delimiter belongs to the delimiter.
          let end = lineStart;
          if (end > partStart && body[end - 1] === 0x0a) end--;
          if (end > partStart && body[end - 1] === 0x0d) end--;
          parts.push(body.subarray(partStart, Math.max(partStart, end)));
        }
        if (closing) return parts;
        partStart = lineEnd + 1;
      }
    }
    lineStart = lineEnd + 1;
  }
  return parts;
}

/** Turns bare LF into CRLF: the canonical form a PGP/MIME signature is computed over. */
export function toCrlf(bytes: Buffer): Buffer {
  const text = bytes.toString('latin1');
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1');
}
