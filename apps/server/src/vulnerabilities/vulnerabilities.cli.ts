import fs from 'node:fs';
import { type Command, Option } from 'commander';
import { CASE_STATUSES, type CaseStatus } from '@renkei/contract';
import { CliError, type CommandOpener } from '../cli/open.ts';
import { systemContext } from '../policy/actor.ts';
import { CVE_POOL_MAX_BYTES } from './catalogue/index.ts';
import { presentCaseSummary } from './vulnerabilities.presenter.ts';
import type { VulnerabilitiesService } from './vulnerabilities.service.ts';

const PAGE = 500;

function readPoolFile(file: string): Buffer {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    throw new CliError(`Cannot read ${file}.`);
  }
  // The parser refuses a larger file too; refusing before reading keeps a huge file out of memory.
  if (size > CVE_POOL_MAX_BYTES) throw new CliError(`${file} has ${size} bytes; a CVE pool file is at most ${CVE_POOL_MAX_BYTES}.`);
  return fs.readFileSync(file);
}

// A title is untrusted text: no control character reaches the operator's terminal.
const printable = (text: string) => [...text].map((ch) => (/\p{Cc}/u.test(ch) ? ' ' : ch)).join('');
const cell = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width));

/**
 * `renkei cve-pool import FILE` and `renkei cases list`: the pool of reserved CVE IDs and the case list
 * for operators (a table) and tools (`--json`).
 */
export function registerVulnerabilitiesCommands(program: Command, open: CommandOpener<{ vulnerabilities: VulnerabilitiesService }>): void {
  program
    .command('cve-pool')
    .description('The pool of CVE IDs reserved by the team as a CNA')
    .command('import <file>')
    .description("Add reserved CVE IDs from CVE Services' JSON answer or a text file of one ID a line (exit 2 when entries were skipped)")
    .action(async (file: string) => {
      const bytes = readPoolFile(file);
      const { database, services } = await open('cve-pool import');
      try {
        const result = await services.vulnerabilities.importCvePool(systemContext('cli'), bytes);
        for (const skip of result.skipped) {
          const where = 'line' in skip ? `line ${skip.line}` : `entry ${skip.index}`;
          console.log(`skipped  ${where}: ${JSON.stringify(skip.value)}: ${skip.reason}`);
        }
        const pool = await services.vulnerabilities.cvePoolSummary(systemContext('cli'));
        console.log(
          `Imported ${result.imported.length}, already present ${result.alreadyPresent.length}, skipped ${result.skipped.length} (${result.format} file). ` +
            `The pool has ${pool.free} free and ${pool.assigned} assigned IDs.`,
        );
        if (result.skipped.length > 0) process.exitCode = 2;
      } finally {
        await database.close();
      }
    });

  program
    .command('cases')
    .description('Vulnerability coordination cases')
    .command('list')
    .description('The cases, most recently modified first: a table, or JSON with --json')
    .option('--json', 'print a JSON array (the API’s case summaries)')
    .addOption(new Option('--status <status>', 'only cases in this state').choices([...CASE_STATUSES]))
    .action(async (options: { json?: boolean; status?: CaseStatus }) => {
      const { database, services } = await open('cases list');
      try {
        const rows = [];
        for (let offset = 0; ; offset += PAGE) {
          const page = await services.vulnerabilities.listCases(systemContext('cli'), { status: options.status, offset, limit: PAGE });
          rows.push(...page.rows);
          if (offset + PAGE >= page.total) break;
        }
        const cases = rows.map((row) => presentCaseSummary(row, false));
        if (options.json) {
          console.log(JSON.stringify(cases, null, 2));
          return;
        }
        if (cases.length === 0) {
          console.log(options.status ? `No case is ${options.status}.` : 'No cases yet.');
          return;
        }
        console.log(`${cell('REFERENCE', 14)} ${cell('STATUS', 12)} ${'VENDORS'.padStart(7)} ${'VULNS'.padStart(5)} ${cell('TARGET', 10)} TITLE`);
        for (const c of cases) {
          const target = c.targetPublicationAt ? c.targetPublicationAt.slice(0, 10) : '-';
          console.log(
            `${cell(c.reference, 14)} ${cell(c.status, 12)} ${String(c.vendorCount).padStart(7)} ${String(c.vulnerabilityCount).padStart(5)} ${cell(target, 10)} ${printable(c.title)}`,
          );
        }
        console.log(`${cases.length} case${cases.length === 1 ? '' : 's'}.`);
      } finally {
        await database.close();
      }
    });
}
