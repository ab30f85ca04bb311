import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/**
 * A file name safe for a Content-Disposition header: ASCII fallback plus RFC 5987 UTF-8. The name is
 * untrusted input: control characters and path separators go, quotes and `%;` in the fallback too.
 * @example dispositionFor('poc.html', sha) // 'attachment; filename="poc.html"; filename*=UTF-8\'\'poc.html'
 */
export function dispositionFor(filename: string | null, sha256: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
  const name = (filename ?? `attachment-${sha256.slice(0, 12)}`).replace(/[\u0000-\u001f\u007f/\\]/g, '_').slice(0, 200) || 'attachment';
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["%;]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Sends an untrusted file (a mail attachment, a finder's proof of concept) as an opaque download that no
 * browser displays or sniffs: generic type, attachment disposition, nosniff, a sandboxing CSP, not cached.
 * @example return sendDownload(reply, { filename: part.filename, sha256: part.sha256, size: part.size, stream });
 */
export function sendDownload(reply: FastifyReply, file: { filename: string | null; sha256: string; size: number; stream: Readable }): FastifyReply {
  return reply
    .header('content-type', 'application/octet-stream')
    .header('content-disposition', dispositionFor(file.filename, file.sha256))
    .header('content-length', String(file.size))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, no-store')
    .send(file.stream);
}
