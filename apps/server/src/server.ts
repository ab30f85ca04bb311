import fs from 'node:fs';
import path from 'node:path';
import { seedDemo } from './accounts/index.ts';
import { CliError } from './cli/open.ts';
import type { Config } from './config.ts';
import { BLOB_TEMPORARY_FILE_MAX_AGE_MS } from './blobs/index.ts';
import { databaseTarget, migrateToLatest, openDatabase } from './db/database.ts';
import { DataDirLockedError } from './db/data-dir-lock.ts';
import { buildApp } from './app/http-app.ts';
import { createLogger } from './kernel/logger.ts';
import { type SmtpListener, startSmtpListener } from './mail/index.ts';
import { createServices } from './app/services.ts';
import { prepareMailOnStart } from './app/mail-start-up.ts';

/**
 * `renkei serve` (http: true) and `renkei worker` (http: false): open, migrate, seed, listen, and on
 * SIGINT/SIGTERM stop taking work, let in-flight requests finish, and close the database.
 */
export async function runServer(config: Config, mode: { http: boolean }): Promise<void> {
  const command = mode.http ? 'renkei serve' : 'renkei worker';
  const log = createLogger({ level: config.logLevel, name: 'renkei' });
  // A signal during start-up (first start on PGlite takes seconds) waits for the step under way, so
  // the database is never left half-migrated; a second one exits at once.
  let interrupted: string | null = null;
  const onEarlySignal = (signal: string): void => {
    if (interrupted) process.exit(130);
    interrupted = signal;
    log.warn({ signal }, 'stopping once the start-up step under way has finished');
  };
  process.on('SIGINT', onEarlySignal);
  process.on('SIGTERM', onEarlySignal);
  const database = await openDatabase(databaseTarget(config, command)).catch((error: unknown) => {
    if (error instanceof DataDirLockedError) throw new CliError(error.message, 3);
    throw error;
  });
  await migrateToLatest(database.db);
  const services = createServices(database, config, { log });

  if (config.seedDemo) {
    const created = await seedDemo(database.db, services.accounts, process.env.RENKEI_ADMIN_PASSWORD);
    if (created) announceDemoAdmin(config, created, database.engine === 'pglite');
  }

  // Temporary files of writers killed before this start; the hourly job catches the rest.
  await services.blobs.sweepTemporaryFiles(BLOB_TEMPORARY_FILE_MAX_AGE_MS);
  // Installs or upgrades the job tables and registers the jobs' queues and schedules.
  if (!interrupted) await services.jobs.start();
  process.removeListener('SIGINT', onEarlySignal);
  process.removeListener('SIGTERM', onEarlySignal);
  if (interrupted) {
    await services.jobs.stop({ timeoutMs: 1000 });
    await database.close();
    return;
  }
  // The instance key on first start, and the mail that waited for a relay (now queued, when one is set).
  await prepareMailOnStart(services, config, log);
  const app = mode.http ? await buildApp(config, services) : null;
  let smtp: SmtpListener | null = null;
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'finishing in-flight work, then stopping');
    const force = setTimeout(() => {
      log.error('still busy after 20 s; exiting. Unfinished jobs run again on the next start');
      process.exit(1);
    }, 20_000);
    force.unref();
    await smtp?.close();
    await app?.close();
    await services.jobs.stop({ timeoutMs: 15_000 });
    await database.close();
    clearTimeout(force);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  // `serve` runs config.workerConcurrency jobs of each kind at once (0: none, leave them to `renkei worker`).
  const concurrency = mode.http ? config.workerConcurrency : Math.max(1, config.workerConcurrency);
  if (concurrency > 0) await services.jobs.startWorker({ concurrency });
  if (!app) {
    // The banner is what the command answers the person who started it (at any log level): plain text, not a log line.
    console.error(
      `Renkei worker is running on ${database.engine === 'pglite' ? `the embedded database in ${config.dataDir}` : 'PostgreSQL'}, ${concurrency} job(s) of each kind at a time.`,
    );
  }

  if (app) {
    await app.listen({ host: config.host, port: config.port });
    console.error(`Renkei is running on ${database.engine === 'pglite' ? `the embedded database in ${config.dataDir}` : 'PostgreSQL'}.`);
    console.error(`  Public site:  ${config.publicUrl}/`);
    console.error(`  Staff app:    ${config.publicUrl}/app/`);
    console.error(`  API docs:     ${config.publicUrl}/api/docs`);
    // Mail is accepted only once the HTTP side is up, so nothing arrives that cannot be read.
    const smtpLog = log.child({ component: 'smtp' });
    smtp = await startSmtpListener(services.mail, { host: config.smtpHost, port: config.smtpPort, log: (line) => smtpLog.info(line) });
    console.error(
      `  Mail intake:  smtp://${config.smtpHost}:${smtp.port} for ${config.intakeAddress}${config.smtpRelayUrl ? `; outbound via ${config.smtpRelayUrl}` : '; outbound relay not configured'}`,
    );
  }
}

function announceDemoAdmin(config: Config, admin: { email: string; password: string }, embedded: boolean): void {
  const lines = [
    'Created the demo organisation "Demo CSIRT" and its administrator:',
    `  e-mail:   ${admin.email}`,
    `  password: ${admin.password}`,
    `Log in at ${config.publicUrl}/app/ (and set up two-factor login under Settings).`,
  ];
  if (embedded) {
    // Kept beside the data so a newcomer who missed the console can still get in.
    const file = path.join(config.dataDir, 'initial-admin.txt');
    fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
    lines.push(`(Also written to ${file}; delete it once you have changed the password.)`);
  }
  // Not a log line: the password is for the person at the console, not for log collectors.
  console.error(lines.join('\n'));
}
