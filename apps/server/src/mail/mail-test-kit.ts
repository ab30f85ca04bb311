import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import nodemailer from 'nodemailer';
import * as openpgp from 'openpgp';
import { SMTPServer } from 'smtp-server';
import type { Database } from '../db/database.ts';
import { type TestApp, createTestApp } from '../testing/test-app.ts';
import { type SmtpListener, startSmtpListener } from './smtp-listener.ts';

/**
 * Test kit for the mail domain: a real app over a fresh database with a real blob store in a temporary
 * directory, the real SMTP listener on a loopback port, a nodemailer client, OpenPGP keys made on the
 * spot, and an SMTP sink standing in for the relay. Test-only; nothing here runs in production.
 */

export const INTAKE = 'report@intake.test';

export interface MailHarness {
  t: TestApp;
  listener: SmtpListener;
  dataDir: string;
  /** Sends raw bytes over SMTP to the listener; resolves with the 250 text or rejects with the SMTP error. */
  sendRaw(raw: string | Buffer, envelope?: { from?: string; to?: string[] }): Promise<string>;
  close(): Promise<void>;
}

export async function startMailHarness(env: NodeJS.ProcessEnv = {}): Promise<MailHarness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-mail-'));
  const t = await createTestApp({ RENKEI_DATA_DIR: dataDir, RENKEI_INTAKE_ADDRESS: INTAKE, RENKEI_MAIL_SIZE_LIMIT: String(2 * 1024 * 1024), ...env });
  const listener = await startSmtpListener(t.services.mail, {
    host: '127.0.0.1',
    port: 0,
    socketTimeoutSeconds: 20,
    log: (line) => {
      if (/could not/.test(line)) console.error(line);
    },
  });
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: listener.port,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    t,
    listener,
    dataDir,
    async sendRaw(raw, envelope = {}) {
      const info = await transport.sendMail({ envelope: { from: envelope.from ?? 'sender@example.org', to: envelope.to ?? [INTAKE] }, raw });
      return String(info.response);
    },
    async close() {
      transport.close();
      await listener.close();
      await t.services.jobs.stop({ timeoutMs: 2000 });
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A message in RFC 5322 form with CRLF line ends. */
export function rfc822(headers: Record<string, string>, body: string): string {
  const lines = Object.entries({ 'MIME-Version': '1.0', Date: new Date().toUTCString(), ...headers }).map(([k, v]) => `${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}`;
}

export interface TestKey {
  privateKey: openpgp.PrivateKey;
  publicArmored: string;
  fingerprint: string;
}

/** An Ed25519/X25519 key pair (fast); `created` in the past and `expiresInSeconds` make expired keys. */
export async function makeKey(email: string, options: { created?: Date; expiresInSeconds?: number } = {}): Promise<TestKey> {
  const { privateKey } = await openpgp.generateKey({
    type: 'curve25519',
    userIDs: [{ name: email.split('@')[0], email }],
    format: 'object',
    ...(options.created ? { date: options.created } : {}),
    ...(options.expiresInSeconds ? { keyExpirationTime: options.expiresInSeconds } : {}),
  });
  return { privateKey, publicArmored: privateKey.toPublic().armor(), fingerprint: privateKey.getFingerprint().toUpperCase() };
}

/** Puts a key in the directory's table the way the contacts domain does (its contract: migration 2026-11-26T1000). */
export async function insertDirectoryKey(
  database: Database,
  key: { publicArmored: string; fingerprint: string; privateKey?: openpgp.PrivateKey },
  options: { email: string; revokedAt?: Date | null; expiresAt?: Date | null; instance?: boolean; armored?: string },
): Promise<void> {
  const instance = options.instance ?? false;
  await sql`
    INSERT INTO pgp_keys (fingerprint, armored, user_ids, emails, algorithm, created_at_key, expires_at, revoked_at, is_instance_key, private_armored)
    VALUES (${key.fingerprint}, ${options.armored ?? key.publicArmored}, ${[options.email]}, ${[options.email.toLowerCase()]}, 'ed25519', now(),
            ${options.expiresAt ?? null}, ${options.revokedAt ?? null}, ${instance}, ${instance && key.privateKey ? key.privateKey.armor() : null})
  `.execute(database.db);
}

export interface SinkMessage {
  from: string | null;
  to: string[];
  raw: Buffer;
}

/** An SMTP server on loopback that plays the relay: keeps what it is given, or refuses as told. */
export async function startSink(): Promise<{
  url: string;
  messages: SinkMessage[];
  attempts: () => number;
  failNext(count: number, code: number): void;
  /** Keeps the next message but never answers its DATA: the relay has it, the sender does not know. */
  holdNextReply(): void;
  close(): Promise<void>;
}> {
  const behaviour = { failNext: 0, failCode: 451, hold: false };
  const messages: SinkMessage[] = [];
  let attempts = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        attempts++;
        if (behaviour.failNext > 0) {
          behaviour.failNext--;
          const error: Error & { responseCode?: number } = new Error(behaviour.failCode >= 500 ? 'No such user here' : 'Try again later');
          error.responseCode = behaviour.failCode;
          return callback(error);
        }
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        if (behaviour.hold) {
          behaviour.hold = false;
          return;
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    attempts: () => attempts,
    failNext: (count, code) => Object.assign(behaviour, { failNext: count, failCode: code }),
    holdNextReply: () => void (behaviour.hold = true),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls until the check passes or the time is up (then throws with the last value). */
export async function waitFor<T>(check: () => Promise<T>, pass: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let value = await check();
  while (!pass(value)) {
    if (Date.now() > until) throw new Error(`Timed out waiting; last value: ${JSON.stringify(value)?.slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await check();
  }
  return value;
}
