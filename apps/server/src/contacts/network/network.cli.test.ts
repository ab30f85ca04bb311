import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LookupAnswer } from '@renkei/contract';
import { runCli } from '../../testing/run-cli.ts';

// The real `renkei` command on its own embedded database (PostgreSQL runs use the same: the CLI is what is tested here).
let dir: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-lookup-cli-'));
  env = { RENKEI_DATA_DIR: path.join(dir, 'data'), RENKEI_SEED_DEMO: '0' };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('renkei contacts import-ipdata and lookup', () => {
  it('Should import an RIR file with a progress report and a summary line naming rejected lines', async () => {
    const file = path.join(dir, 'delegated-ripencc-latest');
    fs.writeFileSync(
      file,
      [
        '2|ripencc|20261125|3|19830705|20261124|+0100',
        'ripencc|NL|ipv4|192.0.2.0|256|20100101|allocated',
        'ripencc|NL|ipv4|not-an-ip|256|20100101|allocated',
        'ripencc|DE|ipv6|2001:db8::|32|20100101|allocated',
        '',
      ].join('\n'),
    );
    const result = await runCli(['contacts', 'import-ipdata', file], { env, timeoutMs: 90_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/100% .* 2 ranges, 1 rejected/);
    expect(result.stderr).toContain('line 3: start "not-an-ip" is not an IPv4 address');
    expect(result.stdout).toMatch(
      /^Imported rir dataset "ripencc" from delegated-ripencc-latest \(data of 2026-11-24\): 1 IPv4 ranges, 1 IPv6 ranges, 0 ASNs; 1 lines rejected; no previous dataset/,
    );
  }, 120_000);

  it('Should print one answer per input with the source of each field, and JSON on request', async () => {
    const text = await runCli(['contacts', 'lookup', '192.0.2[.]5', 'hxxps://例え.jp/', 'garbage!'], { env, timeoutMs: 90_000 });
    expect(text.code).toBe(2); // one input was not understood
    expect(text.stdout).toContain('192.0.2.5  <- 192.0.2[.]5  (documentation (RFC 5737))');
    expect(text.stdout).toMatch(/country: +NL {2}\[rir:delegated-ripencc-latest, 2026-11-24, medium\]/);
    expect(text.stdout).toContain('例え.jp (xn--r8jz45g.jp)');
    expect(text.stdout).toMatch(/garbage!\n {2}error: /);
    const json = await runCli(['contacts', 'lookup', '--json', '2001:db8::1'], { env, timeoutMs: 90_000 });
    expect(json.code).toBe(0);
    const answers = JSON.parse(json.stdout) as LookupAnswer[];
    expect(answers[0]).toMatchObject({ prefix: { value: '2001:db8::/32', source: 'rir:delegated-ripencc-latest' }, country: { value: 'DE' } });
  }, 120_000);

  it('Should refuse a file it cannot read as IP data, naming the formats', async () => {
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'just some prose\nwith no fields\n');
    const result = await runCli(['contacts', 'import-ipdata', file], { env, timeoutMs: 90_000 });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--format rir|ip2asn|mmdb');
  }, 120_000);
});
