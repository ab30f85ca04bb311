import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/run-cli.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-contacts-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const env = { RENKEI_DATA_DIR: dir, RENKEI_SEED_DEMO: '0', RENKEI_PGP_PASSPHRASE: 'cli test passphrase' };

describe('renkei contacts', () => {
  it('Should make the instance key once, protected by the passphrase, and print its public part only', async () => {
    const made = await runCli(['contacts', 'instance-key', 'generate'], { env, timeoutMs: 60_000 });
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/Made the instance key [0-9A-F]{40}\./);
    expect(made.stdout).toContain('encrypted with RENKEI_PGP_PASSPHRASE');
    const again = await runCli(['contacts', 'instance-key', 'generate'], { env, timeoutMs: 60_000 });
    expect(again.stdout).toContain('already exists');
    const shown = await runCli(['contacts', 'instance-key', 'show'], { env, timeoutMs: 60_000 });
    expect(shown.stdout).toContain('BEGIN PGP PUBLIC KEY BLOCK');
    expect(shown.stdout).not.toContain('PRIVATE');
  }, 120_000);

  it('Should dry-run a CSV import by default, exit 2 on a rejected line, and commit with --commit', async () => {
    const file = path.join(dir, 'orgs.csv');
    fs.writeFileSync(file, 'name,kind,networks\nCLI ISP,isp,AS64501\nBroken,isp,not/a/network\n');
    const dry = await runCli(['contacts', 'import-csv', file], { env, timeoutMs: 60_000 });
    expect(dry.code).toBe(2);
    expect(dry.stdout).toContain('create  CLI ISP: name, kind, +asn 64501');
    expect(dry.stdout).toContain('Dry run');
    const committed = await runCli(['contacts', 'import-csv', '--commit', file], { env, timeoutMs: 60_000 });
    expect(committed.stdout).toContain('Committed: 1 to create');
    const exported = await runCli(['contacts', 'export-team-directory'], { env, timeoutMs: 60_000 });
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toEqual([]);
  }, 120_000);
});
