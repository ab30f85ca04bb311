import type { Config } from '../config.ts';
import { type Database, databaseTarget, migrateToLatest, openDatabase } from '../db/database.ts';
import { DataDirLockedError } from '../db/data-dir-lock.ts';

/** A CLI failure worth one clear line and a non-zero exit, not a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * Opens a domain's CLI command's database and the services it needs; the composition root supplies it
 * (`app/open-for-cli.ts`), so a domain's commands declare only the services they use.
 * @example registerFeedsCommands(program.command('feeds'), (command) => openForCli(loadConfig(), command));
 */
export type CommandOpener<S> = (command: string) => Promise<{ database: Database; services: S }>;

/**
 * Opens the configured database for a CLI command, migrated.
 * On a PGlite directory held by a running server, explains what to do instead of waiting or corrupting.
 */
export async function openDatabaseForCli(config: Config, command: string): Promise<Database> {
  let database: Database;
  try {
    database = await openDatabase(databaseTarget(config, `renkei ${command}`));
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      throw new CliError(
        `${error.message}\n\`renkei ${command}\` needs the database to itself while it runs on the embedded engine. ` +
          'Stop the server (Ctrl-C) and run the command again, or do the same through the running server (web app or API).',
        3,
      );
    }
    throw error;
  }
  await migrateToLatest(database.db);
  return database;
}

/** Reads all of standard input as text (for passwords: never take them from argv, where `ps` shows them). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
