import PostalMime, { type Address, type Email } from 'postal-mime';
import { parseTlp, tlpLabel } from '@renkei/contract';
import { cleanText as clean } from '../kernel/text.ts';
import { htmlToText } from './html-text.ts';
import { type KeyRing, NO_PGP, type PgpOutcome, inspectPgp } from './pgp.ts';

/** Limits on what one inbound message may hold; past them it is stored with a status saying so. */
export interface ParseLimits {
  /** MIME parts (every node of the tree, containers included). */
  maxParts: number;
  /** Header bytes across all parts. */
  maxHeaderBytes: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxParts: 500, maxHeaderBytes: 1024 * 1024 };

export interface ParsedAttachment {
  filename: string | null;
  contentType: string;
  disposition: string | null;
  contentId: string | null;
  content: Uint8Array;
  fromEncrypted: boolean;
}

export interface ParsedInbound {
  status: 'stored' | 'rejected_parts' | 'rejected_headers' | 'parse_failed';
  statusDetail: string | null;
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  subject: string;
  fromAddress: string | null;
  fromName: string | null;
  to: string[];
  cc: string[];
  sentAt: Date | null;
  headers: [string, string][];
  textBody: string;
  htmlBody: string | null;
  htmlText: string | null;
  attachments: ParsedAttachment[];
  flags: string[];
  tlp: string | null;
  pgp: PgpOutcome;
  /** Set when the message is a delivery status notification (RFC 3464). */
  dsn: boolean;
}

const MAX_HEADERS_KEPT = 300;
const MAX_HEADER_VALUE = 4000;
const TLP_LABEL = /TLP:(CLEAR|WHITE|GREEN|AMBER\+STRICT|AMBER|RED)\b/i;

/**
 * Parses a raw message (untrusted input) into what is stored: never throws for its content. A message
 * over a limit, or one postal-mime cannot read, comes back with a status and no parts.
 * @example const parsed = await parseInbound(raw, DEFAULT_PARSE_LIMITS, keyRing);
 */
export async function parseInbound(raw: Buffer, limits: ParseLimits, keyRing: KeyRing): Promise<ParsedInbound> {
  let email: Email;
  let parts: number;
  try {
    ({ email, parts } = await parseMime(raw, limits));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const headerLimit = /header size/i.test(message);
    return {
      ...emptyParsed(
        headerLimit ? 'rejected_headers' : 'parse_failed',
        headerLimit
          ? `The headers are larger than the limit of ${limits.maxHeaderBytes} bytes`
          : `The message cannot be parsed: ${clean(message).slice(0, 300)}`,
      ),
      ...roughHeaders(raw),
    };
  }
  const base = fromEmail(email);
  if (parts > limits.maxParts) {
    return {
      ...base,
      status: 'rejected_parts',
      statusDetail: `The message has ${parts} MIME parts, more than the limit of ${limits.maxParts}; it is kept raw, its parts are not extracted`,
      textBody: '',
      htmlBody: null,
      htmlText: null,
      attachments: [],
    };
  }
  const pgp = await inspectPgp(raw, { textBody: email.text ?? '', from: base.fromAddress }, keyRing);
  let content = base;
  if (pgp.decryptedEntity) {
    // The encrypted inner entity is the real content: its text and attachments replace the envelope's.
    try {
      const inner = await parseMime(pgp.decryptedEntity, limits);
      if (inner.parts > limits.maxParts) throw new Error(`The decrypted message has more than ${limits.maxParts} parts`);
      const innerParsed = fromEmail(inner.email);
      content = {
        ...base,
        textBody: innerParsed.textBody,
        htmlBody: innerParsed.htmlBody,
        htmlText: innerParsed.htmlText,
        attachments: innerParsed.attachments.map((a) => ({ ...a, fromEncrypted: true })),
      };
    } catch (error) {
      pgp.detail = `Decrypted, but the content cannot be parsed: ${error instanceof Error ? error.message : String(error)}`;
      content = { ...base, textBody: '', attachments: [] };
    }
  } else if (pgp.plainText !== null) {
    content = { ...base, textBody: clean(pgp.plainText) };
  }
  // The signature and the PGP/MIME control parts are part of the envelope, not files the sender sent.
  const attachments = content.attachments.filter(
    (a) =>
      !(pgp.format === 'pgp_mime' && /^application\/pgp-(signature|encrypted)$/.test(a.contentType)) &&
      !(
        pgp.format === 'pgp_mime' &&
        pgp.encryption !== 'none' &&
        !a.fromEncrypted &&
        a.contentType === 'application/octet-stream' &&
        a.filename === 'encrypted.asc'
      ),
  );
  const tlpMatch = TLP_LABEL.exec(`${base.subject}\n${content.textBody.slice(0, 4000)}`);
  return {
    ...content,
    attachments,
    pgp: { ...pgp, decryptedEntity: null },
    tlp: tlpMatch ? normaliseTlp(tlpMatch[1]!) : null,
  };
}

async function parseMime(raw: Buffer, limits: ParseLimits): Promise<{ email: Email; parts: number }> {
  const parser = new PostalMime({
    forceRfc822Attachments: true,
    attachmentEncoding: 'arraybuffer',
    maxHeadersSize: limits.maxHeaderBytes,
    maxNestingDepth: 50,
  });
  const email = await parser.parse(raw);
  return { email, parts: countParts(parser) };
}

interface TreeNode {
  childNodes?: TreeNode[];
}

/** Every node of postal-mime's tree. Its tree is internal; a test with thousands of parts guards this. */
function countParts(parser: PostalMime): number {
  const root = (parser as unknown as { root?: TreeNode }).root;
  if (!root) return 0;
  let count = 0;
  const stack: TreeNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    count++;
    for (const child of node.childNodes ?? []) stack.push(child);
  }
  return count;
}

function fromEmail(email: Email): ParsedInbound {
  const from = firstMailbox(email.from);
  const html = email.html ? clean(email.html) : null;
  const headers = email.headers
    .slice(0, MAX_HEADERS_KEPT)
    .map((h): [string, string] => [clean(h.key).slice(0, 200), clean(h.value).slice(0, MAX_HEADER_VALUE)]);
  const contentType = email.headers.find((h) => h.key === 'content-type')?.value ?? '';
  const dsn = /^multipart\/report/i.test(contentType) && /report-type\s*=\s*"?delivery-status/i.test(contentType);
  const autoSubmitted = email.headers.find((h) => h.key === 'auto-submitted')?.value ?? 'no';
  const flags: string[] = [];
  if (dsn) flags.push('dsn');
  else if (!/^no$/i.test(autoSubmitted.trim())) flags.push('auto_reply');
  return {
    ...emptyParsed('stored', null),
    messageId: messageIdOf(email.messageId),
    inReplyTo: messageIdOf(email.inReplyTo),
    references:
      (email.references ?? '')
        .match(/<[^<>\s]{1,500}>/g)
        ?.slice(0, 100)
        .map((r) => messageIdOf(r)!) ?? [],
    subject: clean(email.subject ?? '').slice(0, 1000),
    fromAddress: from ? clean(from.address).toLowerCase().slice(0, 320) || null : null,
    fromName: from?.name ? clean(from.name).slice(0, 300) : null,
    to: addresses(email.to),
    cc: addresses(email.cc),
    sentAt: dateOf(email.date),
    headers,
    textBody: clean(email.text ?? (html ? htmlToText(html) : '')),
    htmlBody: html,
    htmlText: html ? htmlToText(html) : null,
    attachments: email.attachments.map((a) => ({
      filename: a.filename ? clean(a.filename).slice(0, 255) : null,
      contentType: clean(a.mimeType || 'application/octet-stream').slice(0, 200),
      disposition: a.disposition ? clean(a.disposition).slice(0, 50) : null,
      contentId: a.contentId ? clean(a.contentId).slice(0, 300) : null,
      content: typeof a.content === 'string' ? Buffer.from(a.content, 'utf8') : a.content instanceof ArrayBuffer ? new Uint8Array(a.content) : a.content,
      fromEncrypted: false,
    })),
    flags,
    dsn,
  };
}

function emptyParsed(status: ParsedInbound['status'], statusDetail: string | null): ParsedInbound {
  return {
    status,
    statusDetail,
    messageId: null,
    inReplyTo: null,
    references: [],
    subject: '',
    fromAddress: null,
    fromName: null,
    to: [],
    cc: [],
    sentAt: null,
    headers: [],
    textBody: '',
    htmlBody: null,
    htmlText: null,
    attachments: [],
    flags: [],
    tlp: null,
    pgp: NO_PGP,
    dsn: false,
  };
}

/** For a message postal-mime refused: subject, sender and Message-ID read from the first 64 KiB, so it can still be listed. */
function roughHeaders(raw: Buffer): Partial<ParsedInbound> {
  const head = raw.subarray(0, 64 * 1024).toString('latin1');
  const end = head.search(/\r?\n\r?\n/);
  const block = (end < 0 ? head : head.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const get = (name: string) => new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(block)?.[1]?.slice(0, 1000);
  const from = get('From');
  const address = from ? (/<([^<>\s@]+@[^<>\s]+)>/.exec(from)?.[1] ?? /([^\s<>"]+@[^\s<>"]+)/.exec(from)?.[1]) : undefined;
  return { subject: clean(get('Subject') ?? ''), fromAddress: address ? clean(address).toLowerCase() : null, messageId: messageIdOf(get('Message-ID')) };
}

function firstMailbox(address: Address | undefined): { name: string; address: string } | null {
  if (!address) return null;
  if (address.address !== undefined) return { name: address.name, address: address.address };
  const member = address.group?.[0];
  return member ? { name: member.name, address: member.address } : null;
}

function addresses(list: Address[] | undefined): string[] {
  const out: string[] = [];
  for (const entry of list ?? []) {
    if (entry.address !== undefined) out.push(entry.address);
    else for (const member of entry.group ?? []) out.push(member.address);
  }
  return out
    .slice(0, 200)
    .map((a) => clean(a).toLowerCase().slice(0, 320))
    .filter((a) => a !== '');
}

export function messageIdOf(value: string | undefined | null): string | null {
  if (!value) return null;
  const inner = /<([^<>]{1,500})>/.exec(value)?.[1] ?? value.trim();
  const cleaned = clean(inner).replace(/\s+/g, '').slice(0, 500);
  return cleaned === '' ? null : cleaned;
}

function dateOf(value: string | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  const year = date.getUTCFullYear();
  return Number.isNaN(date.getTime()) || year < 1970 || year > 2200 ? null : date;
}

/** A label found in mail, as TLP 2.0 writes it (TLP 1.0's WHITE is CLEAR). */
function normaliseTlp(label: string): string | null {
  const level = parseTlp(label);
  return level === null ? null : tlpLabel(level);
}
