import fs from 'node:fs';
import type { Command } from 'commander';
import type { DirectoryImportReport } from '@renkei/contract';
import { CliError, type CommandOpener } from '../cli/open.ts';
import { systemContext } from '../policy/actor.ts';
import type { ContactsService } from './contacts.service.ts';

const MAX_FILE_BYTES = 16 * 1024 * 1024;

function readFile(file: string): string {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw new CliError(`Cannot read ${file}.`);
  }
  if (size > MAX_FILE_BYTES) throw new CliError(`${file} is larger than ${MAX_FILE_BYTES / 1048576} MiB.`);
  return fs.readFileSync(file, 'utf8');
}

function printReport(report: DirectoryImportReport): void {
  for (const line of report.lines) {
    const detail = line.action === 'reject' ? line.errors.join('; ') : line.changes.join(', ') || 'no change';
    console.log(`${String(line.line).padStart(5)}  ${line.action.padEnd(6)}  ${line.name ?? '-'}: ${detail}`);
  }
  console.log(
    `${report.committed ? 'Committed' : 'Dry run (nothing changed; add --commit to apply)'}: ${report.created} to create, ${report.updated} to update, ${report.rejected} rejected.`,
  );
  if (report.rejected > 0) process.exitCode = 2;
}

/** `renkei contacts ...` for the directory: the instance key, imports and the team-directory export. */
export function registerContactsCommands(contacts: Command, open: CommandOpener<{ contacts: ContactsService }>): void {
  const instanceKey = contacts.command('instance-key').description("The instance's own PGP key (signs security.txt, RFC 2350 and mail)");

  instanceKey
    .command('generate')
    .description('Make the instance key (Ed25519/Cv25519); protected with RENKEI_PGP_PASSPHRASE when set')
    .option('--replace', 'replace an existing key, revoking it as superseded')
    .action(async (options: { replace?: boolean }) => {
      const { database, services } = await open('contacts instance-key generate');
      try {
        const result = await services.contacts.generateInstanceKey(systemContext('cli'), options.replace ?? false);
        const key = await services.contacts.instancePublicKey();
        console.log(
          result.created
            ? `Made the instance key ${result.fingerprint}.`
            : `The instance key ${result.fingerprint} already exists (use --replace to make a new one).`,
        );
        console.log(
          key?.protected
            ? 'Its private part is encrypted with RENKEI_PGP_PASSPHRASE.'
            : 'Its private part is stored UNENCRYPTED in the database: set RENKEI_PGP_PASSPHRASE before generating to protect it.',
        );
      } finally {
        await database.close();
      }
    });

  instanceKey
    .command('show')
    .description('Print the instance public key (armored)')
    .action(async () => {
      const { database, services } = await open('contacts instance-key show');
      try {
        const key = await services.contacts.instancePublicKey();
        if (!key) throw new CliError('There is no instance key yet: run `renkei contacts instance-key generate`.');
        process.stdout.write(key.armored);
      } finally {
        await database.close();
      }
    });

  contacts
    .command('import-csv <file>')
    .description('Import organisations and networks from CSV; a dry run unless --commit (exit 2 when a line is rejected)')
    .option('--commit', 'apply the changes')
    .action(async (file: string, options: { commit?: boolean }) => {
      const text = readFile(file);
      const { database, services } = await open('contacts import-csv');
      try {
        printReport(await services.contacts.importCsv(systemContext('cli'), text, options.commit ?? false));
      } finally {
        await database.close();
      }
    });

  contacts
    .command('import-team-directory <file>')
    .description('Import FIRST team-directory JSON; a dry run unless --commit')
    .option('--commit', 'apply the changes')
    .action(async (file: string, options: { commit?: boolean }) => {
      let document: unknown;
      try {
        document = JSON.parse(readFile(file));
      } catch (error) {
        if (error instanceof CliError) throw error;
        throw new CliError(`${file} is not valid JSON.`);
      }
      const { database, services } = await open('contacts import-team-directory');
      try {
        printReport(await services.contacts.importTeamDirectory(systemContext('cli'), document, options.commit ?? false));
      } finally {
        await database.close();
      }
    });

  contacts
    .command('export-team-directory')
    .description('Print every CSIRT as FIRST team-directory JSON')
    .action(async () => {
      const { database, services } = await open('contacts export-team-directory');
      try {
        console.log(JSON.stringify(await services.contacts.exportTeamDirectory(systemContext('cli')), null, 2));
      } finally {
        await database.close();
      }
    });
}
