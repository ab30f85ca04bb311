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
  const references = (content.references ?? []).filter(isMessageId);
  const headers = [
    `From: ${displayName(content.from.name)}<${headerAddress(content.from.address)}>`,
    `To: <${headerAddress(content.to)}>`,
    `Subject: ${encodeWords(oneLine(content.subject), 'Q', 52)}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${messageId}>`,
    ...(content.inReplyTo && isMessageId(content.inReplyTo) ? [`In-Reply-To: <${content.inReplyTo}>`] : []),
    ...(references.length > 0 ? [`References: ${references.map((r) => `<${r}>`).join(' ')}`] : []),
    ...(content.headers ?? []).map(([name, value]) => `${headerName(name)}: ${headerText(value)}`),
    'MIME-Version: 1.0',
    `Content-Type: ${wrapped.contentType}`,
  ]
    .map((line) => foldLines(line, 76).replace(/\r?\n/g, '\r\n'))
    .join('\r\n');
  return { raw: Buffer.concat([Buffer.from(`${headers}\r\n\r\n`, 'latin1'), wrapped.body]), messageId, encrypted: pgp.encryptTo.length > 0 };
}

// Every value written into a header passes one of these: a line break in a name, subject, address or
// referenced Message-ID (all of which can come from outside) must never start a header of its own.
// eslint-disable-next-line no-control-regex -- control characters are what is being matched
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- control characters are what is being replaced
const oneLine = (value: string): string => value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
const MESSAGE_ID = /^[\x21-\x3b\x3d\x3f-\x7e]{1,200}@[\x21-\x3b\x3d\x3f-\x7e]{1,200}$/;

/** True for a Message-ID (without brackets) that is safe to repeat in In-Reply-To/References. */
function isMessageId(value: string): boolean {
  return MESSAGE_ID.test(value);
}

/** A display name as a quoted string or RFC 2047 encoded words, followed by a space; '' for none. */
function displayName(name: string): string {
  const flat = oneLine(name);
  if (flat === '') return '';
  if (/^[\x20-\x7e]*$/.test(flat)) return `"${flat.replace(/["\\]/g, (c) => `\\${c}`)}" `;
  return `${encodeWords(flat, 'Q', 52)} `;
}

function headerAddress(address: string): string {
  if (CONTROL.test(address) || /[<>\s]/.test(address) || !address.includes('@')) throw new HeaderValueError('address', address);
  return address;
}

function headerName(name: string): string {
  if (!/^[A-Za-z0-9-]{1,76}$/.test(name)) throw new HeaderValueError('header name', name);
  return name;
}

function headerText(value: string): string {
  if (CONTROL.test(value)) throw new HeaderValueError('header value', value);
  return value;
}

/** A header value that would have broken out of its field: refused rather than sent. */
export class HeaderValueError extends Error {
  constructor(what: string, value: string) {
    super(`Refusing to write a ${what} with a line break or control character into a mail header: ${JSON.stringify(value.slice(0, 80))}`);
    this.name = 'HeaderValueError';
  }
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
