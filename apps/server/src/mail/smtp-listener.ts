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
  /** Seconds a client may stay silent before the connection is dropped. */
  socketTimeoutSeconds?: number;
  maxClients?: number;
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
  const server = new SMTPServer({
    name: 'renkei',
    banner: 'Renkei intake',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    size: mail.sizeLimitBytes,
    logger: false,
    maxClients: options.maxClients ?? 50,
    socketTimeout: (options.socketTimeoutSeconds ?? 120) * 1000,
    closeTimeout: 5000,
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
