import fs from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { FEED_FORMATS, type FeedMappingInput, TLP_LEVELS, type TlpLevel } from '@renkei/contract';
import { CliError, type CommandOpener } from '../cli/open.ts';
import { progressBar } from '../kernel/progress.ts';
import { systemContext } from '../policy/actor.ts';
import type { FeedsService, IngestSummary } from './feeds.service.ts';

/** The one summary line an operator (or a script) reads at the end of an ingest. */
export function summaryLine(s: IngestSummary): string {
  return `${s.state === 'completed' ? 'Ingested' : 'FAILED'} ${s.origin}: ${s.rowsRead} rows read, ${s.eventsStored} events stored, ${s.duplicates} duplicates, ${s.rejected} rejected rows, ${s.eventsPerSecond} events/s (${s.seconds.toFixed(2)} s; run ${s.id})`;
}

/**
 * `renkei feeds ingest|mapping add|mapping list|mapping remove|notify`.
 * @example registerFeedsCommands(program.command('feeds'));
 */
export function registerFeedsCommands(feeds: Command, open: CommandOpener<{ feeds: FeedsService }>): void {
  feeds
    .command('ingest')
    .description('Read a feed file (Shadowserver-style CSV, or generic CSV with a saved mapping; gzip accepted) into events')
    .argument('<file>', 'the feed file')
    .addOption(new Option('--format <format>', 'the file format').choices([...FEED_FORMATS]).makeOptionMandatory())
    .option('--mapping <name>', 'the saved column mapping (csv)')
    .option('--report-type <type>', 'shadowserver: the report type when the file name does not say (e.g. scan_ntp)')
    .addOption(new Option('--tlp <tlp>', "TLP of the events (default: the mapping's, else amber)").choices([...TLP_LEVELS]))
    .action(async (file: string, options: { format: 'shadowserver' | 'csv'; mapping?: string; reportType?: string; tlp?: TlpLevel }) => {
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new CliError(`No such file: ${file}`);
      if (options.format === 'csv' && !options.mapping)
        throw new CliError('--format csv needs --mapping NAME (add one with `renkei feeds mapping add NAME --file mapping.json`).');
      const { database, services } = await open('feeds ingest');
      const bar = progressBar(process.stderr, 'events');
      try {
        const summary = await services.feeds.ingestFile(systemContext('cli'), path.resolve(file), {
          format: options.format,
          mapping: options.mapping,
          reportType: options.reportType,
          tlp: options.tlp,
          onProgress: (p) => bar.update({ bytesRead: p.bytesRead, totalBytes: p.totalBytes, ranges: p.events, rejected: p.rejected }),
        });
        bar.done();
        if (summary.rejected > 0) {
          const detail = await services.feeds.getRun(systemContext('cli'), summary.id);
          for (const r of detail.rejects.slice(0, 20)) console.error(`line ${r.line}: ${r.reason}`);
          if (summary.rejected > 20) console.error(`... and ${summary.rejected - 20} more rejected rows (GET /api/v1/feeds/runs/${summary.id})`);
        }
        if (summary.error) console.error(summary.error);
        if (summary.originalNotKept) console.error('The file is larger than the blob limit (RENKEI_BLOB_LIMIT): its original bytes are not kept.');
        console.log(summaryLine(summary));
        if (summary.state !== 'completed') process.exitCode = 2;
      } finally {
        bar.done();
        await database.close();
      }
    });

  const mapping = feeds.command('mapping').description('Saved column mappings for generic CSV feeds');
  mapping
    .command('add')
    .description(
      'Save a mapping from a JSON file: {"columns": {"src_ip": "ip", "seen": "time", ...}, "taxonomy": "malicious-code", "type": "infected-system", "tlp": "amber"}',
    )
    .argument('<name>', 'the mapping name (lower case, digits, . _ -)')
    .requiredOption('--file <file>', 'the mapping JSON')
    .option('--replace', 'replace a mapping of the same name')
    .action(async (name: string, options: { file: string; replace?: boolean }) => {
      if (!fs.existsSync(options.file)) throw new CliError(`No such file: ${options.file}`);
      if (fs.statSync(options.file).size > 1 << 20) throw new CliError(`${options.file} is over 1 MiB: not a mapping`);
      let body: Partial<FeedMappingInput>;
      try {
        body = JSON.parse(fs.readFileSync(options.file, 'utf8')) as Partial<FeedMappingInput>;
      } catch (error) {
        throw new CliError(`${options.file} is not JSON: ${(error as Error).message}`);
      }
      if (typeof body !== 'object' || body === null || typeof body.columns !== 'object')
        throw new CliError('The mapping file needs a "columns" object, "taxonomy" and "type"');
      const { database, services } = await open('feeds mapping add');
      try {
        const saved = await services.feeds.saveMapping(
          systemContext('cli'),
          { name, columns: body.columns, taxonomy: String(body.taxonomy), type: String(body.type), ...(body.tlp ? { tlp: body.tlp } : {}) },
          { replace: options.replace ?? false },
        );
        console.log(
          `Saved mapping ${saved.name}: ${Object.entries(saved.columns)
            .map(([c, f]) => `${c}→${f}`)
            .join(', ')}; ${saved.taxonomy}/${saved.type}, TLP ${saved.tlp}`,
        );
      } finally {
        await database.close();
      }
    });
  mapping
    .command('list')
    .description('List saved mappings')
    .action(async () => {
      const { database, services } = await open('feeds mapping list');
      try {
        const list = await services.feeds.listMappings(systemContext('cli'));
        if (list.length === 0) console.log('No mappings yet: renkei feeds mapping add NAME --file mapping.json');
        for (const m of list)
          console.log(
            `${m.name}  ${m.taxonomy}/${m.type}  TLP ${m.tlp}  ${Object.entries(m.columns)
              .map(([c, f]) => `${c}→${f}`)
              .join(', ')}`,
          );
      } finally {
        await database.close();
      }
    });
  mapping
    .command('remove')
    .description('Remove a saved mapping')
    .argument('<name>')
    .action(async (name: string) => {
      const { database, services } = await open('feeds mapping remove');
      try {
        await services.feeds.deleteMapping(systemContext('cli'), name);
        console.log(`Removed mapping ${name}`);
      } finally {
        await database.close();
      }
    });

  feeds
    .command('notify')
    .description("Group pending events per recipient into notifications and queue their mail now (the job does this on each recipient's interval)")
    .option('--all', 'every recipient with pending events, whatever their interval')
    .action(async (options: { all?: boolean }) => {
      const { database, services } = await open('feeds notify');
      try {
        const { notifications } = await services.feeds.notifyDue(systemContext('cli'), { force: options.all ?? false });
        for (const n of notifications)
          console.log(
            `${n.key} ${n.recipient}: ${n.eventCount} events, ${n.withheldCount} withheld by TLP, ${n.format}/${n.language}, ${n.state}${n.error ? ` (${n.error})` : ''}`,
          );
        console.log(`${notifications.length} notification(s)`);
      } finally {
        await database.close();
      }
    });
}
