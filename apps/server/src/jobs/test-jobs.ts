import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { type JobDefinition, defineJob } from './job-queue.ts';

/**
 * Test-only jobs, registered when RENKEI_TEST_JOBS=1, for the job queue's process tests: a probe that
 * appends what it does to `<dataDir>/test-jobs.log` (one JSON line per event), so a test can follow
 * workers in other processes, kill them, and count runs.
 */

export const PROBE_JOB = 'test.probe';

export type { ProbeData } from './job-payloads.ts';

export interface ProbeEvent {
  event: 'start' | 'done' | 'fail' | 'pause';
  tag: string;
  id: string;
  attempt: number;
  pid: number;
  at: number;
}

export const PROBE_OPTIONS = { retryLimit: 3, retryDelaySeconds: 0, backoff: false, expireInSeconds: 4 } as const;

export function probeLogPath(dataDir: string): string {
  return path.join(dataDir, 'test-jobs.log');
}

export function readProbeEvents(dataDir: string): ProbeEvent[] {
  let text: string;
  try {
    text = fs.readFileSync(probeLogPath(dataDir), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ProbeEvent);
}

export function testJobDefinitions(config: Pick<Config, 'dataDir'>): JobDefinition<never>[] {
  const file = probeLogPath(config.dataDir);
  const probe = defineJob(
    PROBE_JOB,
    async (data, { id, attempt, signal }) => {
      const record = (event: ProbeEvent['event']): void => {
        // One short line per append: O_APPEND writes this small do not interleave between processes.
        fs.appendFileSync(file, `${JSON.stringify({ event, tag: data.tag, id, attempt, pid: process.pid, at: Date.now() })}\n`);
      };
      record('start');
      if (data.sleepMs) await new Promise((resolve) => setTimeout(resolve, data.sleepMs));
      if (data.blockOnAttempt === attempt) {
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
      }
      if (data.failAttempts !== undefined && attempt <= data.failAttempts) {
        record('fail');
        throw new Error(`probe ${data.tag} fails attempt ${attempt}`);
      }
      record('done');
      return { tag: data.tag };
    },
    PROBE_OPTIONS,
  );
  return [probe];
}

/** The file whose presence makes the next publication pause before it commits (one process takes it). */
export function publishPauseFile(dataDir: string): string {
  return path.join(dataDir, 'publish-pause-once');
}

/**
 * Test-only (RENKEI_TEST_JOBS=1): the hook a publication calls just before it commits. When the test has
 * left `publish-pause-once` in the data directory, the first publisher to rename it logs a `pause` event
 * and waits there, holding its transaction open, until the test kills its process; otherwise it returns at once.
 */
export function testPublishPause(config: Pick<Config, 'dataDir' | 'testJobs'>): ((caseId: string) => Promise<void>) | undefined {
  if (!config.testJobs) return undefined;
  const marker = publishPauseFile(config.dataDir);
  return async (caseId) => {
    try {
      fs.renameSync(marker, `${marker}.taken-${process.pid}`);
    } catch {
      return;
    }
    fs.appendFileSync(
      probeLogPath(config.dataDir),
      `${JSON.stringify({ event: 'pause', tag: caseId, id: caseId, attempt: 0, pid: process.pid, at: Date.now() })}\n`,
    );
    await new Promise(() => {});
  };
}
