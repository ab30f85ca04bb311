import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { MessageTooLargeError, type MailService } from './mail.service.ts';

export interface SmtpListener {
  /** The port actually bound (useful with port 0). */
  port: number;
  close(): Promise<void>;
}

export interface SmtpListenerOptions {
  host: string;
  port: number;
  /** Seconds a client may stay silent before the connection is dropped (default 30). */
  socketTimeoutSeconds?: number;
  /** Connections open at once, from all clients (default 50). */
  maxClients?: number;
  /** Connections open at once from one client address (default 5): one client cannot hold every slot. */
  maxClientsPerAddress?: number;
  log?: (line: string) => void;
}

type SmtpError = Error & { responseCode?: number };

function smtpError(code: number, message: string): SmtpError {
  const error: SmtpError = new Error(message);
  error.responseCode = code;
  return error;
}

/**
 * The intake's SMTP listener: any client may hand over mail for the intake address (and its
 * plus-addresses); other recipients get 550. SIZE is announced, so a client declaring more gets 552
 * at MAIL FROM; one that sends more anyway gets 552 after DATA and nothing is kept. The 250 after DATA
 * comes only once the message is stored, so an error reply (451) means the sender keeps its copy.
 * @example const listener = await startSmtpListener(services.mail, { host: '127.0.0.1', port: 2525 });
 */
export async function startSmtpListener(mail: MailService, options: SmtpListenerOptions): Promise<SmtpListener> {
  const log = options.log ?? (() => {});
  const perAddressLimit = options.maxClientsPerAddress ?? 5;
  const openByAddress = new Map<string, number>();
  const countedSessions = new Set<string>();
  const server = new SMTPServer({
    name: 'renkei',
    banner: 'Renkei intake',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    size: mail.sizeLimitBytes,
    logger: false,
    maxClients: options.maxClients ?? 50,
    // Idle clients are dropped soon: mail servers send their commands at once, so silence is a held slot.
    socketTimeout: (options.socketTimeoutSeconds ?? 30) * 1000,
    closeTimeout: 5000,
    onConnect(session, callback) {
      const address = session.remoteAddress ?? '';
      const open = openByAddress.get(address) ?? 0;
      if (open >= perAddressLimit) return callback(smtpError(421, '4.7.0 Too many connections from your address; try again later'));
      openByAddress.set(address, open + 1);
      countedSessions.add(session.id);
      callback();
    },
    onClose(session) {
      // Only sessions onConnect counted are uncounted (a refused one never was).
      if (!countedSessions.delete(session.id)) return;
      const address = session.remoteAddress ?? '';
      const open = (openByAddress.get(address) ?? 1) - 1;
      if (open <= 0) openByAddress.delete(address);
      else openByAddress.set(address, open);
    },
    onRcptTo(address, _session, callback) {
      if (!mail.accepts(address.address)) return callback(smtpError(550, `5.1.1 <${address.address.slice(0, 100)}>: no such mailbox here`));
      callback();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const envelope = {
        mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
        rcptTo: session.envelope.rcptTo.map((r) => r.address),
        clientAddress: session.remoteAddress ?? null,
      };
      mail.receive(stream, envelope).then(
        (result) => {
          // smtp-server also counts; a message it saw as oversized is refused even if our count missed it.
          if (stream.sizeExceeded) return callback(smtpError(552, `5.3.4 Message exceeds the fixed maximum message size of ${mail.sizeLimitBytes} bytes`));
          log(`stored inbound message ${result.id} (${result.status})`);
          callback(null, `2.0.0 Stored as ${result.id}`);
        },
        (error: unknown) => {
          // Whatever is left of the message must be read, or the connection stalls.
          stream.resume();
          if (error instanceof MessageTooLargeError || stream.sizeExceeded) {
            return callback(smtpError(552, `5.3.4 Message exceeds the fixed maximum message size of ${mail.sizeLimitBytes} bytes`));
          }
          log(`could not store an inbound message: ${error instanceof Error ? error.message : String(error)}`);
          callback(smtpError(451, '4.3.0 The message could not be stored; try again later'));
        },
      );
    },
  });
  server.on('error', (error) => log(`SMTP listener error: ${error.message}`));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
