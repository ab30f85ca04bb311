import { openDatabaseForCli } from '../cli/open.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { type Services, createServices } from './services.ts';

/**
 * Opens the configured database for a CLI command, migrated, with every service over it.
 * @example const { database, services } = await openForCli(loadConfig(), 'user add');
 */
export async function openForCli(config: Config, command: string): Promise<{ database: Database; services: Services }> {
  const database = await openDatabaseForCli(config, command);
  return { database, services: createServices(database, config) };
}
