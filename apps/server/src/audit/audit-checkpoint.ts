import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema/index.ts';

/**
 * The head of the audit chain at one moment, kept outside the database. The chain alone cannot show
 * that its newest entries were removed, that the table was emptied, or that a row was altered and every
 * later hash recomputed: a DBA can do all three. A checkpoint signed with a key the database never holds,
 * in a file the database cannot write, can.
 */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  /** The time of entry `seq`. */
  at: string;
  writtenAt: string;
  /** HMAC-SHA256 over the fields above with the installation's checkpoint key. */
  mac: string;
}

export type CheckpointVerification = { ok: true; checkpoints: number; latest: AuditCheckpoint | null } | { ok: false; checkpoints: number; reason: string };

/** Where checkpoints live: `<dataDir>/audit/checkpoints.jsonl` and the key beside it (mode 0600). */
export interface CheckpointFiles {
  file: string;
  keyFile: string;
}

export function checkpointFiles(dataDir: string): CheckpointFiles {
  const dir = path.join(dataDir, 'audit');
  return { file: path.join(dir, 'checkpoints.jsonl'), keyFile: path.join(dir, 'checkpoint.key') };
}

const signedText = (c: Omit<AuditCheckpoint, 'mac'>): string => `renkei-audit-checkpoint\n${c.seq}\n${c.hash}\n${c.at}\n${c.writtenAt}`;

function readKey(files: CheckpointFiles, create: boolean): Buffer | null {
  if (create) {
    fs.mkdirSync(path.dirname(files.keyFile), { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(files.keyFile, randomBytes(32), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      // It exists already (made earlier, or by another process just now): use it.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  try {
    return fs.readFileSync(files.keyFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

const macOf = (key: Buffer, c: Omit<AuditCheckpoint, 'mac'>): string => createHmac('sha256', key).update(signedText(c)).digest('hex');

/**
 * Appends a checkpoint of the chain's current head; null when the log is empty.
 * @example const checkpoint = await writeAuditCheckpoint(db, checkpointFiles(config.dataDir));
 */
export async function writeAuditCheckpoint(db: Kysely<Schema>, files: CheckpointFiles, now = new Date()): Promise<AuditCheckpoint | null> {
  const head = await db.selectFrom('audit_log').select(['seq', 'hash', 'at']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  if (!head) return null;
  const key = readKey(files, true)!;
  const content = { seq: Number(head.seq), hash: head.hash, at: head.at.toISOString(), writtenAt: now.toISOString() };
  const checkpoint: AuditCheckpoint = { ...content, mac: macOf(key, content) };
  const handle = await fs.promises.open(files.file, 'a', 0o600);
  try {
    await handle.write(`${JSON.stringify(checkpoint)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return checkpoint;
}

/** Reads the checkpoints; a line that does not parse or whose MAC is wrong is a finding, not skipped. */
function readCheckpoints(files: CheckpointFiles): { checkpoints: AuditCheckpoint[] } | { problem: string } {
  let text: string;
  try {
    text = fs.readFileSync(files.file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoints: [] };
    throw error;
  }
  const key = readKey(files, false);
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length > 0 && !key) return { problem: `the checkpoint key ${files.keyFile} is missing, so no checkpoint can be trusted` };
  const checkpoints: AuditCheckpoint[] = [];
  for (const [index, line] of lines.entries()) {
    let parsed: AuditCheckpoint;
    try {
      parsed = JSON.parse(line) as AuditCheckpoint;
    } catch {
      return { problem: `checkpoint line ${index + 1} is not readable` };
    }
    if (typeof parsed.seq !== 'number' || typeof parsed.hash !== 'string' || typeof parsed.mac !== 'string' || !/^[0-9a-f]{64}$/.test(parsed.mac)) {
      return { problem: `checkpoint line ${index + 1} is not a checkpoint` };
    }
    const expected = Buffer.from(macOf(key!, parsed), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(parsed.mac, 'hex'))) return { problem: `checkpoint line ${index + 1} is not signed by this installation's key` };
    checkpoints.push(parsed);
  }
  return { checkpoints };
}

/**
 * Checks the log against every checkpoint: each checkpointed entry must still be there with the same
 * hash. Run after `verifyAuditChain`, which proves the links between entries.
 */
export async function verifyAuditCheckpoints(db: Kysely<Schema>, files: CheckpointFiles): Promise<CheckpointVerification> {
  const read = readCheckpoints(files);
  if ('problem' in read) return { ok: false, checkpoints: 0, reason: read.problem };
  const { checkpoints } = read;
  if (checkpoints.length === 0) return { ok: true, checkpoints: 0, latest: null };
  const last = await db.selectFrom('audit_log').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const lastSeq = last ? Number(last.seq) : 0;
  const seqs = [...new Set(checkpoints.map((c) => c.seq))];
  const rows = new Map<number, string>();
  for (let i = 0; i < seqs.length; i += 1000) {
    const found = await db
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .where('seq', 'in', seqs.slice(i, i + 1000))
      .execute();
    for (const row of found) rows.set(Number(row.seq), row.hash);
  }
  for (const checkpoint of checkpoints) {
    const hash = rows.get(checkpoint.seq);
    if (hash === undefined) {
      return {
        ok: false,
        checkpoints: checkpoints.length,
        reason:
          lastSeq === 0
            ? `the log is empty, but the checkpoint of ${checkpoint.writtenAt} recorded ${checkpoint.seq} entries`
            : `entries after ${lastSeq} were removed: the checkpoint of ${checkpoint.writtenAt} recorded entry ${checkpoint.seq}`,
      };
    }
    if (hash !== checkpoint.hash) {
      return {
        ok: false,
        checkpoints: checkpoints.length,
        reason: `entry ${checkpoint.seq} differs from the checkpoint of ${checkpoint.writtenAt}: the log was rewritten`,
      };
    }
  }
  return { ok: true, checkpoints: checkpoints.length, latest: checkpoints[checkpoints.length - 1]! };
}
