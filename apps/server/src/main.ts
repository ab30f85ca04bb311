import { Command, Option } from 'commander';
import { ROLES, type Role, isRole } from '@renkei/contract';
import { checkpointFiles, verifyAuditChain, verifyAuditCheckpoints, writeAuditCheckpoint } from './audit/index.ts';
import { openForCli } from './app/open-for-cli.ts';
import { CliError, readStdin } from './cli/open.ts';
import { loadConfig } from './config.ts';
import { registerContactsCommands, registerNetworkCommands } from './contacts/index.ts';
import { databaseTarget, migrateToLatest, openDatabase } from './db/database.ts';
import { registerFeedsCommands } from './feeds/index.ts';
import { registerVulnerabilitiesCommands } from './vulnerabilities/index.ts';
import { initTeam } from './accounts/index.ts';
import { systemContext } from './policy/actor.ts';
import { VERSION } from './version.ts';

const program = new Command('renkei').description('Renkei: the coordination CSIRT platform').version(VERSION).showHelpAfterError();

program
  .command('serve')
  .description('Run the web server, API, public portal and an in-process job worker')
  .action(async () => {
    // Loaded on demand: the web server's modules are not needed for `--help` or the other commands.
    const { runServer } = await import('./server.ts');
    await runServer(loadConfig(), { http: true });
  });

program
  .command('worker')
  .description('Run a job worker only (several may run at once on PostgreSQL)')
  .action(async () => {
    const { runServer } = await import('./server.ts');
    await runServer(loadConfig(), { http: false });
  });

program
  .command('migrate')
  .description('Bring the database schema up to date (serve also does this on start)')
  .action(async () => {
    const config = loadConfig();
    const database = await openDatabase(databaseTarget(config, 'renkei migrate')).catch(explainLock('migrate'));
    try {
      const result = await migrateToLatest(database.db);
      const applied = result.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
      console.log(applied.length ? `Applied ${applied.length} migration(s):\n  ${applied.join('\n  ')}` : 'The schema is up to date.');
    } finally {
      await database.close();
    }
  });

program
  .command('team')
  .description('The team that runs this instance (staff roles belong to it)')
  .command('init')
  .description('Create the team on an instance started without the demo (RENKEI_SEED_DEMO=0)')
  .requiredOption('--name <name>', 'the team name, e.g. "Example CERT"')
  .option('--name-ja <name>', 'the team name in Japanese')
  .option('--email <email>', 'public contact address')
  .option('--phone <phone>', 'public telephone number')
  .option('--website <url>', 'public website')
  .action(async (options: { name: string; nameJa?: string; email?: string; phone?: string; website?: string }) => {
    const { database } = await openForCli(loadConfig(), 'team init');
    try {
      const id = await initTeam(database.db, systemContext('cli'), options);
      console.log(`Created the team "${options.name}" (${id}). Add its first administrator with \`renkei user add --role admin ...\`.`);
    } finally {
      await database.close();
    }
  });

const user = program.command('user').description('Manage user accounts');

user
  .command('add')
  .description('Create a user; the password is read from standard input (e.g. `echo "$PW" | renkei user add ...`)')
  .requiredOption('--email <email>', 'e-mail address, used to log in')
  .requiredOption('--name <name>', 'display name')
  .addOption(new Option('--role <role...>', 'one or more roles').choices([...ROLES]).makeOptionMandatory())
  .option('--organisation <id>', 'organisation ID, required for outside roles (vendor_user, reporter, partner, subscriber)')
  .addOption(new Option('--locale <locale>', 'language of the UI').choices(['en', 'ja']).default('en'))
  .action(async (options: { email: string; name: string; role: string[]; organisation?: string; locale: 'en' | 'ja' }) => {
    if (process.stdin.isTTY) process.stderr.write('Password (at least 12 characters), then Enter and Ctrl-D: ');
    const password = (await readStdin()).replace(/\r?\n$/, '');
    if (password.length < 12) throw new CliError('The password (from standard input) must be at least 12 characters.');
    const { database, services } = await openForCli(loadConfig(), 'user add');
    try {
      const created = await services.accounts.createUser(systemContext('cli'), {
        email: options.email,
        displayName: options.name,
        password,
        roles: options.role.filter(isRole),
        organisationId: options.organisation,
        locale: options.locale,
      });
      console.log(`Created user ${created.email} (${created.id}) with roles: ${created.memberships.map((m) => `${m.role}@${m.organisationName}`).join(', ')}`);
    } finally {
      await database.close();
    }
  });

user
  .command('token')
  .description('Create an API token for a user and print it once')
  .requiredOption('--email <email>', 'the user the token acts for')
  .requiredOption('--name <name>', 'what the token is for, e.g. "sensor tokyo-1"')
  .addOption(new Option('--role <role...>', "roles the token carries (a subset of the user's)").choices([...ROLES]).makeOptionMandatory())
  .option('--days <days>', 'days until it expires', '90')
  .action(async (options: { email: string; name: string; role: string[]; days: string }) => {
    const days = Number(options.days);
    if (!Number.isInteger(days) || days < 1 || days > 366) throw new CliError('--days must be a whole number from 1 to 366.');
    const { database, services } = await openForCli(loadConfig(), 'user token');
    try {
      const userId = await services.accounts.findUserIdByEmail(options.email);
      if (!userId) throw new CliError(`No user with the e-mail address ${options.email}.`);
      const roles = options.role.filter((role): role is Role => isRole(role));
      const { token, view } = await services.accounts.createToken(systemContext('cli'), { name: options.name, roles, expiresInDays: days, userId });
      console.log(token);
      console.error(
        `Token "${view.name}" (${view.prefix}…) for ${options.email}, roles ${view.roles.join(', ')}, expires ${view.expiresAt.toISOString()}. It is shown only now.`,
      );
    } finally {
      await database.close();
    }
  });

const audit = program.command('audit').description('The hash-chained audit log');

audit
  .command('verify')
  .description(
    'Recompute the audit chain and compare it with the checkpoints in <data dir>/audit; exit 0 when intact, 4 naming the first broken entry otherwise',
  )
  .action(async () => {
    const config = loadConfig();
    const { database } = await openForCli(config, 'audit verify');
    try {
      const showProgress = process.stderr.isTTY;
      const result = await verifyAuditChain(database.db, (checked, total) => {
        if (showProgress) process.stderr.write(`\rChecked ${checked} / ${total} entries`);
      });
      if (showProgress) process.stderr.write('\n');
      if (!result.intact) {
        console.log(`Audit chain BROKEN at entry ${result.brokenAt}: ${result.reason}`);
        process.exitCode = 4;
        return;
      }
      const checkpoints = await verifyAuditCheckpoints(database.db, checkpointFiles(config.dataDir));
      if (!checkpoints.ok) {
        console.log(`Audit log BROKEN: ${checkpoints.reason}`);
        process.exitCode = 4;
        return;
      }
      console.log(`Audit chain intact: ${result.entries} entries, head ${result.headHash}`);
      if (checkpoints.latest)
        console.log(`Agrees with ${checkpoints.checkpoints} checkpoint(s), the latest of ${checkpoints.latest.writtenAt} at entry ${checkpoints.latest.seq}`);
    } finally {
      await database.close();
    }
  });

audit
  .command('checkpoint')
  .description('Write a signed checkpoint of the chain head to <data dir>/audit/checkpoints.jsonl (also done every 15 minutes by the worker)')
  .action(async () => {
    const config = loadConfig();
    const { database } = await openForCli(config, 'audit checkpoint');
    try {
      const checkpoint = await writeAuditCheckpoint(database.db, checkpointFiles(config.dataDir));
      console.log(checkpoint ? `Checkpoint written: entry ${checkpoint.seq}, hash ${checkpoint.hash}` : 'The audit log is empty: nothing to checkpoint');
    } finally {
      await database.close();
    }
  });

// Each domain's commands get the services opened for them (and only declare the ones they use).
const open = (command: string) => openForCli(loadConfig(), command);
registerNetworkCommands(
  program.commands.find((c) => c.name() === 'contacts') ?? program.command('contacts').description('The contacts directory and network lookup'),
  open,
);
registerContactsCommands(
  program.commands.find((c) => c.name() === 'contacts')!,
  open,
);
registerFeedsCommands(program.command('feeds').description('Bulk feeds: ingest files, column mappings, notifications per recipient'), open);
registerVulnerabilitiesCommands(program, open);

function explainLock(command: string) {
  return (error: unknown): never => {
    if (error instanceof Error && error.name === 'DataDirLockedError')
      throw new CliError(`${error.message}\nStop the server, then run \`renkei ${command}\` again.`, 3);
    throw error;
  };
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CliError) {
    console.error(error.message);
    process.exitCode = error.exitCode;
  } else if (error instanceof Error && 'status' in error && 'code' in error) {
    // A service refusal (validation, conflict): its message is for people.
    console.error(`${String((error as { code: unknown }).code)}: ${error.message}`);
    process.exitCode = 1;
  } else {
    throw error;
  }
}
