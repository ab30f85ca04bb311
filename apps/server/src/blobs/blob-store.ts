import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema/index.ts';
import { BadRequestError, NotFoundError, PayloadTooLargeError } from '../kernel/errors.ts';

/** A blob's name: its SHA-256 as 64 lowercase hex digits. Nothing else ever reaches a file path. */
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Blob files are readable by owner and group only, and never executable (samples are malware). */
export const BLOB_FILE_MODE = 0o440;

/** A temporary file untouched this long belongs to a writer that died (a live one writes every chunk). */
export const BLOB_TEMPORARY_FILE_MAX_AGE_MS = 60 * 60_000;

export interface BlobInfo {
  sha256: string;
  size: number;
  createdAt: Date;
}

export interface StoredBlob {
  sha256: string;
  size: number;
  /** False when the store held this content already. */
  created: boolean;
}

export interface BlobStore {
  /**
   * Streams content into the store, hashing as it goes; at most `maxBytes` (never above the store's
   * limit) or PayloadTooLargeError, with nothing left behind. Storing the same content again is a no-op.
   */
  put(content: AsyncIterable<Uint8Array | string>, options?: { maxBytes?: number }): Promise<StoredBlob>;
  /** A read stream of the content. NotFoundError when the store does not hold it. */
  open(sha256: string): Promise<Readable>;
  has(sha256: string): Promise<boolean>;
  stat(sha256: string): Promise<BlobInfo | null>;
  /**
   * Removes temporary files not written to for `olderThanMs`: what a writer killed mid-upload left
   * behind (a live writer touches its file with every chunk). Answers how many files and bytes went.
   */
  sweepTemporaryFiles(olderThanMs: number, now?: Date): Promise<{ files: number; bytes: number }>;
}

/**
 * The content-addressed file store: `<dataDir>/blobs/ab/cd/<sha256>`, one row per blob in `blobs`.
 * A file appears by rename of a complete, fsynced temporary file, so readers never see a partial one.
 * @example const blobs = createBlobStore(db, { dataDir: './data', limitBytes: 64 << 20 }); const { sha256 } = await blobs.put(request.raw);
 */
export function createBlobStore(db: Kysely<Schema>, options: { dataDir: string; limitBytes: number }): BlobStore {
  const root = path.join(options.dataDir, 'blobs');
  // Temporary files live inside the store so the final rename never crosses file systems.
  const tmpDir = path.join(root, 'tmp');
  const fileOf = (sha256: string): string => path.join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);

  async function stat(sha256: string): Promise<BlobInfo | null> {
    assertSha256(sha256);
    const row = await db.selectFrom('blobs').select(['sha256', 'size', 'created_at']).where('sha256', '=', sha256).executeTakeFirst();
    return row ? { sha256: row.sha256, size: Number(row.size), createdAt: row.created_at } : null;
  }

  return {
    async put(content, putOptions = {}) {
      const maxBytes = Math.min(putOptions.maxBytes ?? options.limitBytes, options.limitBytes);
      await fs.promises.mkdir(tmpDir, { recursive: true, mode: 0o750 });
      const tmpPath = path.join(tmpDir, `${process.pid}-${randomBytes(12).toString('hex')}`);
      const handle = await fs.promises.open(tmpPath, 'wx', 0o600);
      let closed = false;
      let renamed = false;
      try {
        const hash = createHash('sha256');
        let size = 0;
        // One chunk at a time: each is hashed and written before the next is read (backpressure).
        for await (const chunk of content) {
          const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
          size += bytes.byteLength;
          // Leaving the loop by throwing also ends (destroys) the input, so the rest is never read.
          if (size > maxBytes) throw new PayloadTooLargeError('blob_too_large', `The file is larger than the limit of ${maxBytes} bytes`);
          hash.update(bytes);
          await writeAll(handle, bytes);
        }
        await handle.sync();
        await handle.chmod(BLOB_FILE_MODE);
        await handle.close();
        closed = true;
        const sha256 = hash.digest('hex');
        const finalPath = fileOf(sha256);
        await fs.promises.mkdir(path.dirname(finalPath), { recursive: true, mode: 0o750 });
        // Same name, same bytes: replacing a copy already there (by a concurrent writer) changes nothing.
        await fs.promises.rename(tmpPath, finalPath);
        renamed = true;
        await syncDirectory(path.dirname(finalPath));
        const inserted = await db
          .insertInto('blobs')
          .values({ sha256, size })
          .onConflict((conflict) => conflict.column('sha256').doNothing())
          .returning('sha256')
          .executeTakeFirst();
        return { sha256, size, created: inserted !== undefined };
      } finally {
        if (!closed) await handle.close().catch(() => {});
        if (!renamed) await fs.promises.rm(tmpPath, { force: true });
      }
    },

    async open(sha256) {
      if (!(await stat(sha256))) throw new NotFoundError('blob_not_found', 'No such file');
      try {
        const handle = await fs.promises.open(fileOf(sha256), 'r');
        return handle.createReadStream();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          // The index says we have it and the disk says we do not: data loss, not a client mistake.
          throw new Error(`Blob ${sha256} is in the index but its file is missing under ${root}`);
        }
        throw error;
      }
    },

    async has(sha256) {
      return (await stat(sha256)) !== null;
    },

    stat,

    async sweepTemporaryFiles(olderThanMs, now = new Date()) {
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(tmpDir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { files: 0, bytes: 0 };
        throw error;
      }
      const cutoff = now.getTime() - olderThanMs;
      let files = 0;
      let bytes = 0;
      for (const entry of entries) {
        if (!entry.isFile()) continue;
        const file = path.join(tmpDir, entry.name);
        const info = await fs.promises.stat(file).catch(() => null);
        if (!info || info.mtimeMs > cutoff) continue;
        await fs.promises.rm(file, { force: true });
        files += 1;
        bytes += info.size;
      }
      return { files, bytes };
    },
  };
}

/** Throws unless the value is a SHA-256 in lowercase hex: the only strings that become blob paths. */
export function assertSha256(value: string): void {
  if (typeof value !== 'string' || !SHA256_HEX.test(value)) {
    throw new BadRequestError('invalid_blob_id', 'A file is named by its SHA-256: 64 lowercase hexadecimal digits');
  }
}

async function writeAll(handle: fs.promises.FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
    offset += bytesWritten;
  }
}

/** Makes a rename durable: the directory entry is on disk, not only the file's bytes. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
