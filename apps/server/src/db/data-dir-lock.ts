import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Who holds a data directory; written into its lock file. */
export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The data directory ${dataDir} is in use by "${holder.command}" (PID ${holder.pid} on ${holder.host}, since ${holder.since}). ` +
        'The embedded database can be opened by one process at a time: stop that process first, ' +
        'or run Renkei on PostgreSQL (DATABASE_URL) to use several processes at once.',
    );
    this.name = 'DataDirLockedError';
  }
}

/**
 * Takes the exclusive lock on an embedded data directory. PGlite has no lock of its own, and two
 * processes on one directory silently lose data, so every opener goes through here.
 * @example const release = acquireDataDirLock('./data', 'renkei serve'); ...; release();
 */
export function acquireDataDirLock(dataDir: string, command: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, 'renkei.lock');
  const me: LockHolder = { pid: process.pid, host: os.hostname(), command, since: new Date().toISOString() };
  const body = JSON.stringify(me);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // Write the holder to a private file, then link it into place: the lock appears complete or not at all.
      const staged = `${lockPath}.${process.pid}.${Date.now()}`;
      fs.writeFileSync(staged, body, { mode: 0o600 });
      try {
        fs.linkSync(staged, lockPath);
      } finally {
        fs.rmSync(staged, { force: true });
      }
      const release = (): void => {
        process.removeListener('exit', release);
        try {
          if (fs.readFileSync(lockPath, 'utf8') === body) fs.unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readHolder(lockPath);
      if (holder && isAlive(holder)) throw new DataDirLockedError(dataDir, holder);
      // The holder died without releasing (kill -9, power loss): the lock is stale. Move it aside
      // under a unique name and remove only that, so two takers never delete each other's new lock.
      const aside = `${lockPath}.stale.${process.pid}.${Date.now()}`;
      try {
        fs.renameSync(lockPath, aside);
        const moved = readHolder(aside);
        if (moved && isAlive(moved)) {
          // Someone took it over between our read and the rename: put theirs back and give up.
          fs.renameSync(aside, lockPath);
          throw new DataDirLockedError(dataDir, moved);
        }
        fs.rmSync(aside, { force: true });
      } catch (renameError) {
        if (renameError instanceof DataDirLockedError) throw renameError;
        if ((renameError as NodeJS.ErrnoException).code !== 'ENOENT') throw renameError;
      }
    }
  }
  const holder = readHolder(lockPath);
  throw new DataDirLockedError(dataDir, holder ?? { pid: 0, host: 'unknown', command: 'unknown', since: 'unknown' });
}

/** The current holder of a data directory's lock, or null when it is free. */
export function dataDirLockHolder(dataDir: string): LockHolder | null {
  const holder = readHolder(path.join(dataDir, 'renkei.lock'));
  return holder && isAlive(holder) ? holder : null;
}

function readHolder(lockPath: string): LockHolder | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number') return null;
    return { pid: parsed.pid, host: String(parsed.host), command: String(parsed.command), since: String(parsed.since) };
  } catch {
    return null;
  }
}

function isAlive(holder: LockHolder): boolean {
  // A lock from another host (a shared disk) cannot be checked from here: treat it as held.
  if (holder.host !== os.hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
