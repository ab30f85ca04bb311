import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../testing/run-cli.ts';
import { shadowserverCsv } from './feeds-test-kit.ts';

// The real `renkei` command on its own embedded database (the CLI is what is tested here, on both runs).
let dir: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-feeds-cli-'));
  env = { RENKEI_DATA_DIR: path.join(dir, 'data'), RENKEI_SEED_DEMO: '0' };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('renkei feeds', () => {
  it('Should ingest a Shadowserver file with progress on stderr and a summary line naming rejected lines', async () => {
    const file = path.join(dir, '2026-11-25-scan_ntp-asn-jp-geo.csv');
    const rows = Array.from({ length: 300 }, (_, i) => ({ ip: `198.51.100.${i % 250}`, port: 123 }));
    fs.writeFileSync(file, Buffer.concat([shadowserverCsv([...rows, { ip: 'nope' }])]));
    const result = await runCli(['feeds', 'ingest', file, '--format', 'shadowserver'], { env, timeoutMs: 90_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/100% .* 300 events, 1 rejected/);
    expect(result.stderr).toContain('line 302: "nope" in column ip is not an IP address');
    expect(result.stdout).toMatch(
      /^Ingested 2026-11-25-scan_ntp-asn-jp-geo\.csv: 301 rows read, 250 events stored, 50 duplicates, 1 rejected rows, \d+ events\/s/,
    );
  }, 120_000);

  it('Should save a mapping from a file and ingest generic CSV with it, refusing csv without one', async () => {
    const mappingFile = path.join(dir, 'mapping.json');
    fs.writeFileSync(mappingFile, JSON.stringify({ columns: { src: 'ip', seen: 'time' }, taxonomy: 'information-gathering', type: 'scanner' }));
    const added = await runCli(['feeds', 'mapping', 'add', 'darknet', '--file', mappingFile], { env, timeoutMs: 90_000 });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('Saved mapping darknet: src→ip, seen→time; information-gathering/scanner, TLP amber');
    const csv = path.join(dir, 'darknet.csv');
    fs.writeFileSync(csv, 'seen,src,note\n2026-11-25T00:00:00Z,192.0.2.1,x\n');
    const missing = await runCli(['feeds', 'ingest', csv, '--format', 'csv'], { env, timeoutMs: 90_000 });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--format csv needs --mapping NAME');
    const result = await runCli(['feeds', 'ingest', csv, '--format', 'csv', '--mapping', 'darknet'], { env, timeoutMs: 90_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Ingested darknet\.csv: 1 rows read, 1 events stored, 0 duplicates, 0 rejected rows/);
    const bad = await runCli(['feeds', 'mapping', 'add', 'Bad', '--file', mappingFile], { env, timeoutMs: 90_000 });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('invalid_mapping_name');
  }, 120_000);
});
