import { ImapFlow } from 'imapflow';
import { MessageTooLargeError, type MailService } from './mail.service.ts';

/** Where the poller reads mail from: parsed from RENKEI_IMAP_URL. */
export interface ImapSettings {
  host: string;
  port: number;
  /** Implicit TLS (imaps://). */
  secure: boolean;
  user: string;
  pass: string;
  mailbox: string;
  /** For imap://: `required` (default) fails without STARTTLS, `auto` upgrades when offered, `none` stays cleartext. */
  starttls: 'required' | 'auto' | 'none';
  /** false accepts a self-signed or otherwise unverifiable server certificate (`tls-insecure=1`). */
  rejectUnauthorized: boolean;
  /** Move each stored message to this folder instead of flagging it \Seen. */
  moveTo: string | null;
}

/** Set on a message the intake cannot take (over the size limit), so later polls pass it by. */
export const TOO_LARGE_KEYWORD = '$RenkeiTooLarge';

/**
 * Reads `imap[s]://user:pass@host[:port]/MAILBOX[?starttls=required|auto|none&tls-insecure=1&move-to=FOLDER]`.
 * User and password are percent-decoded; the mailbox defaults to INBOX.
 * @example parseImapUrl('imap://intake:secret@127.0.0.1:1143/INBOX?starttls=none').port // 1143
 */
export function parseImapUrl(text: string): ImapSettings {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('RENKEI_IMAP_URL is not a URL: expected imap://user:password@host:port/INBOX');
  }
  if (url.protocol !== 'imap:' && url.protocol !== 'imaps:') throw new Error('RENKEI_IMAP_URL must start with imap:// or imaps://');
  if (!url.username || !url.hostname) throw new Error('RENKEI_IMAP_URL needs a user and a host: imap://user:password@host:port/INBOX');
  const secure = url.protocol === 'imaps:';
  const starttls = url.searchParams.get('starttls') ?? 'required';
  if (starttls !== 'required' && starttls !== 'auto' && starttls !== 'none') throw new Error('RENKEI_IMAP_URL: starttls must be required, auto or none');
  const known = new Set(['starttls', 'tls-insecure', 'move-to']);
  for (const key of url.searchParams.keys()) if (!known.has(key)) throw new Error(`RENKEI_IMAP_URL: unknown option "${key}" (known: ${[...known].join(', ')})`);
  const mailbox = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'INBOX';
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 993 : 143,
    secure,
    user: decodeURIComponent(url.username),
    pass: decodeURIComponent(url.password),
    mailbox,
    starttls,
    rejectUnauthorized: url.searchParams.get('tls-insecure') !== '1',
    moveTo: url.searchParams.get('move-to') || null,
  };
}

export interface PollResult {
  /** Unseen messages found. */
  found: number;
  stored: number;
  /** Already stored earlier (a poll that stopped between storing and flagging), now flagged. */
  duplicates: number;
  /** Over the size limit: left in the mailbox with the $RenkeiTooLarge keyword. */
  tooLarge: number;
}

/**
 * One pass over the mailbox: every unseen message is streamed through the same intake as SMTP
 * (`mail.receive`: raw bytes kept, parsed, threaded) and only then flagged \Seen (or moved). A stop
 * between the two leaves it unseen; the next pass stores the same bytes again, which the intake
 * recognises as the stored message, so nothing is lost or doubled.
 * @example await pollImapMailbox(services.mail, parseImapUrl(config.imapUrl), { maxMessages: 200 });
 */
export async function pollImapMailbox(
  mail: MailService,
  settings: ImapSettings,
  options: { maxMessages?: number; signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<PollResult> {
  const log = options.log ?? (() => {});
  const client = new ImapFlow({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.secure ? {} : settings.starttls === 'required' ? { doSTARTTLS: true } : settings.starttls === 'none' ? { doSTARTTLS: false } : {}),
    auth: { user: settings.user, pass: settings.pass },
    tls: { rejectUnauthorized: settings.rejectUnauthorized },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 120_000,
  });
  // An error after connect (socket reset) is also thrown by the command in progress; this only keeps it from being unhandled.
  client.on('error', (error: Error) => log(`IMAP connection error: ${error.message}`));
  const abort = () => void client.close();
  options.signal?.addEventListener('abort', abort, { once: true });
  const result: PollResult = { found: 0, stored: 0, duplicates: 0, tooLarge: 0 };
  try {
    await client.connect();
    const lock = await client.getMailboxLock(settings.mailbox);
    try {
      const uids = (await client.search({ seen: false, unKeyword: TOO_LARGE_KEYWORD }, { uid: true })) || [];
      result.found = uids.length;
      for (const uid of [...uids].sort((a, b) => a - b).slice(0, options.maxMessages ?? 200)) {
        if (options.signal?.aborted) break;
        const range = String(uid);
        const meta = await client.fetchOne(range, { uid: true, size: true }, { uid: true });
        if (!meta) continue; // expunged meanwhile
        if ((meta.size ?? 0) > mail.sizeLimitBytes) {
          await client.messageFlagsAdd(range, [TOO_LARGE_KEYWORD], { uid: true });
          result.tooLarge++;
          log(`IMAP message UID ${uid} is ${meta.size} bytes, over the limit of ${mail.sizeLimitBytes}: left in the mailbox`);
          continue;
        }
        const download = await client.download(range, undefined, { uid: true });
        if (!download.content) continue;
        try {
          const stored = await mail.receive(download.content, { mailFrom: null, rcptTo: [], clientAddress: null, source: 'imap' });
          if (stored.duplicate) result.duplicates++;
          else result.stored++;
        } catch (error) {
          if (!(error instanceof MessageTooLargeError)) throw error;
          await client.messageFlagsAdd(range, [TOO_LARGE_KEYWORD], { uid: true });
          result.tooLarge++;
          continue;
        }
        if (settings.moveTo) await client.messageMove(range, settings.moveTo, { uid: true });
        else await client.messageFlagsAdd(range, ['\\Seen'], { uid: true });
      }
    } finally {
      lock.release();
    }
    await client.logout();
  } finally {
    options.signal?.removeEventListener('abort', abort);
    client.close();
  }
  return result;
}
