import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const bin = path.join(repoRoot, 'apps/server/bin/renkei.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `renkei` command in a child process, as an operator would. The child sees only the
 * environment given here beyond the basics (no DATABASE_URL or RENKEI_* leaking in from the test run).
 * @example const { code, stdout } = await runCli(['audit', 'verify'], { env: { RENKEI_DATA_DIR: dir } });
 */
export function runCli(args: string[], options: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'DATABASE_URL' || key.startsWith('RENKEI_')) continue;
    env[key] = value;
  }
  Object.assign(env, { RENKEI_LOG_LEVEL: 'warn' }, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`renkei ${args.join(' ')} did not finish within ${options.timeoutMs ?? 30_000} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    // Commands that read standard input must see its end, or they wait for ever.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** The PID of a process that has just exited: certainly not running, for stale-lock tests. */
export function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve(child.pid!));
  });
}

/**
 * A temporary data directory for CLI children. In PGlite runs it starts from the run's migrated
 * snapshot (a fresh PGlite costs seconds to create); in PostgreSQL runs it is empty (blobs only).
 */
export async function createCliDataDir(prefix: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const snapshot = inject('pgliteSnapshot');
  if (snapshot) {
    const pglite = await PGlite.create(path.join(dir, 'pgdata'), { loadDataDir: new Blob([fs.readFileSync(snapshot)]) });
    await pglite.close();
  }
  return dir;
}
