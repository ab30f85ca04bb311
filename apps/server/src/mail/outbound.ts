import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { encodeWords, foldLines } from 'nodemailer/lib/mime-funcs';
import type * as openpgp from 'openpgp';
import { splitEntity } from './mime-raw.ts';
import { encryptMime, signMime } from './pgp.ts';

export interface OutboundContent {
  from: { name: string; address: string };
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
  inReplyTo?: string | null | undefined;
  references?: readonly string[] | undefined;
  /** Files after the text (and its HTML alternative): the content becomes multipart/mixed. */
  attachments?: readonly OutboundAttachment[] | undefined;
  /** Extra top-level header fields (already checked by the caller: `X-…` names, printable ASCII values). */
  headers?: readonly (readonly [string, string])[] | undefined;
  /** The domain part of generated Message-IDs. */
  messageIdDomain: string;
}

/** One file to send. The bytes go out base64-encoded, so they come back exactly as given. */
export interface OutboundAttachment {
  filename: string;
  /** `type/subtype`, optionally with `; charset=…`. */
  contentType: string;
  content: Buffer;
}

export interface ComposedMail {
  raw: Buffer;
  /** Without angle brackets. */
  messageId: string;
  encrypted: boolean;
}

/**
 * Builds the bytes to send: the content as MIME, signed by the instance key (RFC 3156
 * multipart/signed), or signed and encrypted (multipart/encrypted) when recipient keys are given.
 * @example const { raw, messageId } = await composeMail(content, { signingKey, encryptTo: [] });
 */
export async function composeMail(content: OutboundContent, pgp: { signingKey: openpgp.PrivateKey; encryptTo: openpgp.PublicKey[] }): Promise<ComposedMail> {
  const inner = await contentEntity(content.text, content.html, content.attachments ?? []);
  const wrapped = pgp.encryptTo.length > 0 ? await encryptMime(inner, pgp.encryptTo, pgp.signingKey) : await signMime(inner, pgp.signingKey);
  const messageId = `${randomUUID()}@${content.messageIdDomain}`;
  const headers = [
    `From: ${content.from.name ? `${encodeWords(content.from.name, 'Q', 52)} ` : ''}<${content.from.address}>`,
    `To: <${content.to}>`,
    `Subject: ${encodeWords(content.subject.replace(/[\r\n]+/g, ' '), 'Q', 52)}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${messageId}>`,
    ...(content.inReplyTo ? [`In-Reply-To: <${content.inReplyTo}>`] : []),
    ...(content.references && content.references.length > 0 ? [`References: ${content.references.map((r) => `<${r}>`).join(' ')}`] : []),
    ...(content.headers ?? []).map(([name, value]) => `${name}: ${value}`),
    'MIME-Version: 1.0',
    `Content-Type: ${wrapped.contentType}`,
  ]
    .map((line) => foldLines(line, 76).replace(/\r?\n/g, '\r\n'))
    .join('\r\n');
  return { raw: Buffer.concat([Buffer.from(`${headers}\r\n\r\n`, 'latin1'), wrapped.body]), messageId, encrypted: pgp.encryptTo.length > 0 };
}

/**
 * The MIME entity of the content alone: its Content-* headers and body, ready to be signed. With
 * attachments it is multipart/mixed: the text (or multipart/alternative of text and HTML) first, then
 * each file base64-encoded (never quoted-printable, whose line-break handling would change a CSV's bytes).
 */
export async function contentEntity(text: string, html: string | undefined, attachments: readonly OutboundAttachment[] = []): Promise<Buffer> {
  const built = await new MailComposer({
    text,
    ...(html ? { html } : {}),
    textEncoding: 'quoted-printable',
    attachments: attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: a.content,
      contentTransferEncoding: 'base64',
      contentDisposition: 'attachment' as const,
    })),
  })
    .compile()
    .build();
  const entity = splitEntity(built);
  const lines = entity.headerBytes.toString('latin1').split(/\r?\n/);
  const kept: string[] = [];
  let keep = false;
  for (const line of lines) {
    if (/^[ \t]/.test(line)) {
      if (keep) kept.push(line);
      continue;
    }
    keep = /^content-/i.test(line);
    if (keep) kept.push(line);
  }
  return Buffer.concat([Buffer.from(`${kept.join('\r\n')}\r\n\r\n`, 'latin1'), entity.body]);
}

export interface RelayResult {
  accepted: string[];
  response: string;
}

/** Thrown for a relay's permanent refusal (5xx): retrying would not help. */
export class PermanentRelayError extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
    this.name = 'PermanentRelayError';
  }
}

/**
 * Hands raw bytes to the relay (`smtp://host:port`) with the given envelope; asks for DSNs on failure
 * and delay, naming our message so a returning report finds it.
 */
export async function relay(relayUrl: string, envelope: { from: string; to: string[] }, raw: Buffer, envelopeId: string): Promise<RelayResult> {
  const transport = nodemailer.createTransport(relayUrl, { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 } as never);
  try {
    const info = await transport.sendMail({
      envelope,
      raw,
      dsn: { id: envelopeId, return: 'headers', notify: ['failure', 'delay'], recipient: envelope.from },
    });
    return { accepted: (info.accepted as unknown[]).map(String), response: String(info.response ?? '') };
  } catch (error) {
    const code = (error as { responseCode?: number }).responseCode;
    if (typeof code === 'number' && code >= 500 && code < 600) throw new PermanentRelayError((error as Error).message, code);
    throw error;
  } finally {
    transport.close();
  }
}
