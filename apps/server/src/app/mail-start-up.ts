import type { Config } from '../config.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Services } from './services.ts';

/** What the start-up step did, for the log and for tests. */
export interface MailStartUp {
  instanceKey: { created: boolean; fingerprint: string; protected: boolean };
  /** Messages that waited for a relay and were queued now (0 without a relay). */
  released: number;
}

/**
 * Makes mail work on a README install, at every start of `renkei serve` and `renkei worker`: the
 * instance key is made when there is none (encrypted with RENKEI_PGP_PASSPHRASE when set; a warning
 * otherwise), and, with a relay configured, the messages written while there was none are queued.
 * Both are safe when two processes start at once (one key; each held message released once).
 * @example await prepareMailOnStart(services, config, log);
 */
export async function prepareMailOnStart(
  services: Pick<Services, 'contacts' | 'mail'>,
  config: Pick<Config, 'pgpPassphrase' | 'smtpRelayUrl'>,
  log: Logger,
): Promise<MailStartUp> {
  const mailLog = log.child({ component: 'mail' });
  const instanceKey = await services.contacts.ensureInstanceKey();
  if (instanceKey.created) mailLog.info({ fingerprint: instanceKey.fingerprint, protected: instanceKey.protected }, 'made the instance PGP key');
  if (!instanceKey.protected) {
    mailLog.warn(
      { fingerprint: instanceKey.fingerprint },
      config.pgpPassphrase
        ? 'the instance PGP key was made without a passphrase and is stored unprotected; rotate it (`renkei contacts instance-key generate --replace`) to protect it with RENKEI_PGP_PASSPHRASE'
        : 'RENKEI_PGP_PASSPHRASE is not set: the instance PGP private key is stored unprotected in the database; set it before the key is made to encrypt the key at rest',
    );
  }
  const released = await services.mail.releaseHeld();
  if (released > 0) mailLog.info({ released }, 'queued the messages that waited for a relay');
  if (!config.smtpRelayUrl)
    mailLog.warn('RENKEI_SMTP_RELAY is not set: outbound mail waits in the outbox (not sent: no relay configured) until the server starts with a relay');
  return { instanceKey, released };
}
