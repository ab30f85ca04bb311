import fs from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

// Byte streams for the ingest: whole buffers, chunks, blob streams, and gzip detection.

export const gunzipped = (stream: AsyncIterable<Buffer>, gz: boolean): AsyncIterable<Buffer> => (gz ? Readable.from(stream).pipe(createGunzip()) : stream);

export const isGzipHead = (head: Buffer): boolean => head[0] === 0x1f && head[1] === 0x8b;

export function looksGzip(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    fs.readSync(fd, head, 0, 2, 0);
    return isGzipHead(head);
  } finally {
    fs.closeSync(fd);
  }
}

export async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}

export async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

export async function* streamOf(opening: Promise<Readable>): AsyncGenerator<Buffer> {
  for await (const chunk of await opening) yield chunk as Buffer;
}

export async function firstBytes(stream: Readable, count: number): Promise<Buffer> {
  for await (const chunk of stream) {
    stream.destroy();
    return (chunk as Buffer).subarray(0, count);
  }
  return Buffer.alloc(0);
}
