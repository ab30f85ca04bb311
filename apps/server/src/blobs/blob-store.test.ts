import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { AppError, PayloadTooLargeError } from '../kernel/errors.ts';
import { openTestDatabase } from '../testing/test-database.ts';
import { type BlobStore, createBlobStore } from './blob-store.ts';

const LIMIT = 256 * 1024;
let database: Database;
let dataDir: string;
let blobs: BlobStore;

beforeAll(async () => {
  database = await openTestDatabase();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-blobs-'));
  blobs = createBlobStore(database.db, { dataDir, limitBytes: LIMIT });
});
afterAll(async () => {
  await database.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Yields the bytes in chunks of the given size, counting how many chunks the reader pulled. */
function chunked(bytes: Buffer, size: number, pulled = { chunks: 0 }): AsyncGenerator<Buffer> {
  return (async function* () {
    for (let offset = 0; offset < bytes.length; offset += size) {
      pulled.chunks++;
      yield bytes.subarray(offset, offset + size);
    }
  })();
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every file under the store, relative to it: what a failed write must not add to. */
function filesInStore(): string[] {
  const root = path.join(dataDir, 'blobs');
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('the blob store', () => {
  it('Should store content under its SHA-256 and give back the same bytes', async () => {
    const content = randomBytes(200 * 1024);
    const stored = await blobs.put(chunked(content, 16 * 1024));
    const sha256 = sha256Of(content);
    expect(stored).toEqual({ sha256, size: content.length, created: true });
    const file = path.join(dataDir, 'blobs', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
    expect(fs.readFileSync(file).equals(content)).toBe(true);
    expect(await readAll(await blobs.open(sha256))).toEqual(content);
    expect(await blobs.has(sha256)).toBe(true);
    expect(await blobs.stat(sha256)).toMatchObject({ sha256, size: content.length, createdAt: expect.any(Date) });
    const row = await database.db.selectFrom('blobs').selectAll().where('sha256', '=', sha256).executeTakeFirstOrThrow();
    expect(row.size).toBe(content.length);
    expect(fs.readdirSync(path.join(dataDir, 'blobs', 'tmp'))).toEqual([]);
  });

  it('Should write files read-only and never executable', async () => {
    // Shaped like an executable on purpose: samples are malware, and must never run from the store.
    const script = Buffer.from('#!/bin/sh\necho owned\n');
    const { sha256 } = await blobs.put(Readable.from([script]));
    const mode = fs.statSync(path.join(dataDir, 'blobs', sha256.slice(0, 2), sha256.slice(2, 4), sha256)).mode & 0o777;
    expect(mode.toString(8)).toBe('440');
    expect(mode & 0o111).toBe(0);
  });

  it('Should keep one copy of duplicate content and say it had it already', async () => {
    const content = Buffer.from('the same report, sent twice');
    const first = await blobs.put(Readable.from([content]));
    const before = filesInStore();
    const second = await blobs.put(Readable.from([content.subarray(0, 5), content.subarray(5)]));
    expect(second).toEqual({ ...first, created: false });
    expect(filesInStore()).toEqual(before);
    const rows = await database.db.selectFrom('blobs').select('sha256').where('sha256', '=', first.sha256).execute();
    expect(rows).toHaveLength(1);
    expect(await readAll(await blobs.open(first.sha256))).toEqual(content);
  });

  it('Should store empty content and content of exactly the limit', async () => {
    expect(await blobs.put(Readable.from([]))).toMatchObject({ sha256: sha256Of(Buffer.alloc(0)), size: 0 });
    const atLimit = randomBytes(LIMIT);
    expect(await blobs.put(chunked(atLimit, 10_000))).toMatchObject({ sha256: sha256Of(atLimit), size: LIMIT });
  });

  it('Should stop reading content over the limit, throw PayloadTooLargeError and leave nothing behind', async () => {
    const before = filesInStore();
    const blobRows = (await database.db.selectFrom('blobs').select('sha256').execute()).length;
    const pulled = { chunks: 0 };
    // Endless input: only a store that streams (and stops at the limit) can return at all.
    const endless = (async function* () {
      for (;;) {
        pulled.chunks++;
        yield randomBytes(16 * 1024);
      }
    })();
    const failure = await blobs.put(endless).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PayloadTooLargeError);
    expect(failure).toMatchObject({ status: 413, code: 'blob_too_large' });
    expect(pulled.chunks).toBe(LIMIT / (16 * 1024) + 1);
    expect(filesInStore()).toEqual(before);
    expect((await database.db.selectFrom('blobs').select('sha256').execute()).length).toBe(blobRows);
  });

  it("Should honour a smaller limit for one call, but never a larger one than the store's", async () => {
    const content = randomBytes(2048);
    await expect(blobs.put(Readable.from([content]), { maxBytes: 1024 })).rejects.toThrow(PayloadTooLargeError);
    await expect(blobs.put(chunked(randomBytes(LIMIT + 1), 4096), { maxBytes: LIMIT * 4 })).rejects.toThrow(PayloadTooLargeError);
    expect(await blobs.has(sha256Of(content))).toBe(false);
  });

  it('Should remove the temporary file when the input fails midway', async () => {
    const before = filesInStore();
    const broken = (async function* () {
      yield randomBytes(8192);
      throw new Error('client went away');
    })();
    await expect(blobs.put(broken)).rejects.toThrow('client went away');
    expect(filesInStore()).toEqual(before);
  });

  it('Should store the same content written concurrently once, whole', async () => {
    const content = randomBytes(150 * 1024);
    const sha256 = sha256Of(content);
    const results = await Promise.all([1000, 4096, 7777, 65536, 150 * 1024].map((size) => blobs.put(chunked(content, size))));
    expect(results.every((result) => result.sha256 === sha256 && result.size === content.length)).toBe(true);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(await database.db.selectFrom('blobs').select('sha256').where('sha256', '=', sha256).execute()).toHaveLength(1);
    expect(await readAll(await blobs.open(sha256))).toEqual(content);
    expect(fs.readdirSync(path.join(dataDir, 'blobs', 'tmp'))).toEqual([]);
  });

  it('Should refuse hostile or malformed names before touching the disk', async () => {
    const valid = sha256Of(Buffer.from('x'));
    const hostile = [
      '../../etc/passwd',
      valid.toUpperCase(),
      valid.slice(0, 63),
      'abc',
      '',
      `${valid}\n`,
      `${valid}/../../x`,
      `../${valid.slice(3)}`,
      `${valid.slice(0, 63)}\u0000`,
      `${valid}0`,
      'ab/cd/../../../../etc/shadow',
    ];
    for (const name of hostile) {
      for (const call of [() => blobs.open(name), () => blobs.has(name), () => blobs.stat(name)]) {
        const failure = await call().catch((error: unknown) => error);
        expect(failure, JSON.stringify(name)).toBeInstanceOf(AppError);
        expect(failure).toMatchObject({ status: 400, code: 'invalid_blob_id' });
      }
    }
  });

  it('Should answer for content it does not hold: has false, stat null, open not found', async () => {
    const absent = sha256Of(Buffer.from('never stored'));
    expect(await blobs.has(absent)).toBe(false);
    expect(await blobs.stat(absent)).toBeNull();
    await expect(blobs.open(absent)).rejects.toMatchObject({ status: 404, code: 'blob_not_found' });
  });
});

describe('temporary files left by a killed writer', () => {
  it('Should remove temporary files not written to for the given age and keep younger ones', async () => {
    const tmp = path.join(dataDir, 'blobs', 'tmp');
    fs.mkdirSync(tmp, { recursive: true });
    const abandoned = path.join(tmp, '99999-abandoned');
    const live = path.join(tmp, '99999-live');
    fs.writeFileSync(abandoned, randomBytes(5000));
    fs.writeFileSync(live, randomBytes(10));
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    fs.utimesSync(abandoned, twoHoursAgo, twoHoursAgo);

    expect(await blobs.sweepTemporaryFiles(3_600_000)).toEqual({ files: 1, bytes: 5000 });
    expect(fs.existsSync(abandoned)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    fs.rmSync(live);
  });

  it('Should sweep nothing, without error, when no temporary folder exists yet', async () => {
    const empty = createBlobStore(database.db, { dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'renkei-blobs-empty-')), limitBytes: LIMIT });
    expect(await empty.sweepTemporaryFiles(0)).toEqual({ files: 0, bytes: 0 });
  });
});
