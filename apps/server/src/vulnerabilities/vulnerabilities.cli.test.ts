import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseSummary } from '@renkei/contract';
import { loadConfig } from '../config.ts';
import { databaseTarget, migrateToLatest, openDatabase } from '../db/database.ts';
import { createCliDataDir, runCli } from '../testing/run-cli.ts';

// The real `renkei` command in child processes, on its own embedded database.
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await createCliDataDir('renkei-vulnerabilities-cli-');
  env = { RENKEI_DATA_DIR: dir, RENKEI_SEED_DEMO: '0' };
  // Cases as the server would have made them (the CLI only reads them).
  const database = await openDatabase(databaseTarget(loadConfig({ ...env, RENKEI_LOG_LEVEL: 'silent' }), 'cli test setup'));
  try {
    await migrateToLatest(database.db);
    await database.db
      .insertInto('vulnerability_cases')
      .values([
        { reference: 'VU-2026-00001', title: 'XSS in Widget Server', status: 'coordinating', target_publication_at: new Date('2027-01-15T00:00:00Z') },
        { reference: 'VU-2026-00002', title: 'ルーターの認証回避\u001b[31m', status: 'verifying' },
      ])
      .execute();
  } finally {
    await database.close();
  }
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('renkei cases list', () => {
  it('Should print a table for people, JSON for tools, and filter by status', async () => {
    const table = await runCli(['cases', 'list'], { env, timeoutMs: 90_000 });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^REFERENCE\s+STATUS\s+VENDORS\s+VULNS\s+TARGET\s+TITLE/);
    expect(table.stdout).toMatch(/VU-2026-00001\s+coordinating\s+0\s+0\s+2027-01-15\s+XSS in Widget Server/);
    expect(table.stdout).toContain('ルーターの認証回避');
    // A control character of a title never reaches the terminal.
    expect(table.stdout).not.toContain('\u001b');
    expect(table.stdout).toContain('2 cases.');

    const json = await runCli(['cases', 'list', '--json', '--status', 'verifying'], { env, timeoutMs: 90_000 });
    expect(json.code, json.stderr).toBe(0);
    const cases = JSON.parse(json.stdout) as CaseSummary[];
    expect(cases.map((c) => [c.reference, c.status])).toEqual([['VU-2026-00002', 'verifying']]);

    const wrong = await runCli(['cases', 'list', '--status', 'lost'], { env, timeoutMs: 90_000 });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('Allowed choices are verifying, coordinating, scheduled, published, closed');
  }, 240_000);
});

describe('renkei cve-pool import', () => {
  it('Should import reserved IDs, say which were already present, and list skipped lines with their reasons (exit 2)', async () => {
    const file = path.join(dir, 'reserved.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        cve_ids: [
          { cve_id: 'CVE-2026-50001', state: 'RESERVED' },
          { cve_id: 'CVE-2026-50002', state: 'RESERVED' },
          { cve_id: 'CVE-26-1', state: 'RESERVED' },
        ],
      }),
    );
    const first = await runCli(['cve-pool', 'import', file], { env, timeoutMs: 90_000 });
    expect(first.code, first.stderr).toBe(2);
    expect(first.stdout).toContain('skipped  entry 2: "CVE-26-1"');
    expect(first.stdout).toContain('Imported 2, already present 0, skipped 1 (json file). The pool has 2 free and 0 assigned IDs.');
    const text = path.join(dir, 'reserved.txt');
    fs.writeFileSync(text, 'CVE-2026-50002\nCVE-2026-50003\n');
    const second = await runCli(['cve-pool', 'import', text], { env, timeoutMs: 90_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('Imported 1, already present 1, skipped 0 (text file). The pool has 3 free and 0 assigned IDs.');
  }, 240_000);

  it('Should refuse a garbage or missing file with a clear message and import nothing', async () => {
    const garbage = path.join(dir, 'garbage.bin');
    fs.writeFileSync(garbage, Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x43, 0x56, 0x45]));
    const refused = await runCli(['cve-pool', 'import', garbage], { env, timeoutMs: 90_000 });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cve_pool_file_encoding: .*UTF-/);
    const missing = await runCli(['cve-pool', 'import', path.join(dir, 'nope.txt')], { env, timeoutMs: 90_000 });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Cannot read');
    const brokenJson = path.join(dir, 'broken.json');
    fs.writeFileSync(brokenJson, '{"cve_ids": [ {"cve_id": ');
    const broken = await runCli(['cve-pool', 'import', brokenJson], { env, timeoutMs: 90_000 });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('cve_pool_file_bad_json');
  }, 240_000);
});
