import fs from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import type { LookupAnswer } from '@renkei/contract';
import { CliError, type CommandOpener, readStdin } from '../../cli/open.ts';
import { progressBar } from '../../kernel/progress.ts';
import { systemContext } from '../../policy/actor.ts';
import { IPDATA_FORMATS, type IpDataFormat } from './ipdata-import.ts';
import type { NetworkLookupService } from './network.service.ts';

const show = (f: { value: unknown; source: string | null; date: string | null; confidence: string | null }, format: (v: never) => string = String) =>
  f.value === null ? '-' : `${format(f.value as never)}  [${f.source}, ${f.date?.slice(0, 10)}, ${f.confidence}]`;

/** One answer as the lines an analyst reads in a terminal. */
export function formatAnswer(a: LookupAnswer): string {
  if (a.kind === 'invalid') return `${a.input}\n  error: ${a.error}\n`;
  const head = a.kind === 'domain' && a.display !== a.normalized ? `${a.display} (${a.normalized})` : a.normalized;
  const unanswered = a.online.filter((o) => o.status === 'unanswered' || o.status === 'failed');
  const lines = [
    `${head}${a.input.trim() !== a.normalized ? `  <- ${a.input.trim()}` : ''}${a.note ? `  (${a.note})` : ''}`,
    `  prefix:         ${show(a.prefix)}`,
    `  ASN:            ${show(a.asn, (v: number) => `AS${v}`)}`,
    `  AS name:        ${show(a.asName)}`,
    `  country:        ${show(a.country)}`,
    `  organisation:   ${show(a.organisation, (v: { name: string }) => v.name)}`,
    `  abuse contact:  ${show(a.abuseContact)}${a.abuseContact.value === null && unanswered.length ? `  (not known: ${unanswered.map((o) => `${o.source} ${o.status}`).join(', ')})` : ''}`,
    `  national CSIRT: ${show(a.nationalCsirt, (v: { name: string; email: string | null }) => `${v.name}${v.email ? ` <${v.email}>` : ''}`)}`,
    ...a.online.map((o) => `  online: ${o.source} ${o.status}${o.detail ? `: ${o.detail}` : ''}`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * `renkei contacts import-ipdata`, `import-rdap-bootstrap`, `lookup` and `datasets`, under the given
 * `contacts` command. @example registerNetworkCommands(program.command('contacts'));
 */
export function registerNetworkCommands(contacts: Command, open: CommandOpener<{ networkLookup: NetworkLookupService }>): void {
  contacts
    .command('import-ipdata')
    .description(
      'Import IP data (RIR delegated statistics, ip2asn TSV, MaxMind mmdb; gzip accepted), replacing the previous dataset of the same source once complete',
    )
    .argument('<file>', 'the file to import')
    .addOption(new Option('--format <format>', 'the file format (detected when not named)').choices([...IPDATA_FORMATS]))
    .option(
      '--source <name>',
      'the source name (default: the RIR registry, "ip2asn", or the mmdb database type); a new import replaces the dataset of the same source',
    )
    .action(async (file: string, options: { format?: IpDataFormat; source?: string }) => {
      if (!fs.existsSync(file)) throw new CliError(`No such file: ${file}`);
      const { database, services } = await open('contacts import-ipdata');
      const bar = progressBar();
      try {
        const summary = await services.networkLookup.importIpData(systemContext('cli'), path.resolve(file), {
          format: options.format,
          source: options.source,
          onProgress: (p) => bar.update(p),
        });
        bar.done();
        for (const r of summary.rejected) console.error(`line ${r.line}: ${r.reason}`);
        if (summary.rejectedCount > summary.rejected.length) console.error(`... and ${summary.rejectedCount - summary.rejected.length} more rejected lines`);
        console.log(
          `Imported ${summary.format} dataset "${summary.source}" from ${summary.fileName}${summary.dataDate ? ` (data of ${summary.dataDate})` : ''}: ` +
            `${summary.ipv4Ranges} IPv4 ranges, ${summary.ipv6Ranges} IPv6 ranges, ${summary.asns} ASNs; ${summary.rejectedCount} lines rejected; ` +
            `${summary.replaced ? `replaced ${summary.replaced.fileName} of ${summary.replaced.importedAt.toISOString().slice(0, 10)}` : 'no previous dataset'}; ${summary.seconds.toFixed(1)} s`,
        );
      } finally {
        bar.done();
        await database.close();
      }
    });

  contacts
    .command('import-rdap-bootstrap')
    .description('Import IANA RDAP bootstrap files (dns.json, ipv4.json, ipv6.json, asn.json) that online lookups follow')
    .argument('<files...>', 'bootstrap JSON files')
    .action(async (files: string[]) => {
      const read = files.map((file) => {
        if (!fs.existsSync(file)) throw new CliError(`No such file: ${file}`);
        if (fs.statSync(file).size > 16 * 1024 * 1024) throw new CliError(`${file} is over 16 MiB: not a bootstrap file`);
        return { fileName: path.basename(file), text: fs.readFileSync(file, 'utf8') };
      });
      const { database, services } = await open('contacts import-rdap-bootstrap');
      try {
        for (const r of await services.networkLookup.importRdapBootstrap(systemContext('cli'), read))
          console.log(`Imported ${r.fileName} as the ${r.kind} bootstrap (${r.services} services)`);
      } finally {
        await database.close();
      }
    });

  contacts
    .command('lookup')
    .description(
      'Who can act on these? Prefix, ASN, AS name, country, organisation, abuse contact, national CSIRT, each with its source ("-" reads items from standard input, one per line)',
    )
    .argument('<items...>', 'IP addresses, domains or URLs (defanged forms accepted)')
    .option('--json', 'print the answers as JSON')
    .option('--online', 'also ask RDAP and security.txt (each source has a timeout)')
    .option('--timeout <ms>', 'per online source', '5000')
    .action(async (items: string[], options: { json?: boolean; online?: boolean; timeout: string }) => {
      const list = items.includes('-') ? [...items.filter((i) => i !== '-'), ...(await readStdin()).split(/\r?\n/).filter((l) => l.trim() !== '')] : items;
      const timeoutMs = Number(options.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 60_000)
        throw new CliError('--timeout must be a whole number of milliseconds from 100 to 60000.');
      const { database, services } = await open('contacts lookup');
      try {
        const answers = await services.networkLookup.lookup(systemContext('cli'), list, { online: options.online ?? false, timeoutMs });
        if (options.json) console.log(JSON.stringify(answers, null, 2));
        else process.stdout.write(answers.map(formatAnswer).join('\n'));
        if (answers.some((a) => a.kind === 'invalid')) process.exitCode = 2;
      } finally {
        await database.close();
      }
    });

  contacts
    .command('datasets')
    .description('The IP datasets in use')
    .action(async () => {
      const { database, services } = await open('contacts datasets');
      try {
        const datasets = await services.networkLookup.listDatasets(systemContext('cli'));
        if (datasets.length === 0) console.log('No IP data imported yet: renkei contacts import-ipdata FILE');
        for (const d of datasets)
          console.log(
            `${d.format}:${d.fileName}  source ${d.source}, data of ${d.date}, imported ${d.importedAt.toISOString()}: ${d.ipv4Ranges} IPv4, ${d.ipv6Ranges} IPv6 ranges, ${d.asns} ASNs`,
          );
      } finally {
        await database.close();
      }
    });
}
