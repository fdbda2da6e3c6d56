// Streams a request body to a temp file, hashing on the way: memory stays flat whatever the size,
// and the upload is refused as soon as it passes the limit, not after it has all arrived.
import { HttpError } from '@loom/runtime';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { headBytes } from '../core/content-types.ts';

export interface Received {
  file: string;
  hash: string;
  size: number;
  /** The first bytes, to tell what the content really is. */
  head: Buffer;
}

export const tooLarge = (maxBytes: number) => new HttpError(413, 'PAYLOAD_TOO_LARGE', `an asset may have at most ${maxBytes} bytes`);

export async function receive(body: Readable, dir: string, maxBytes: number): Promise<Received> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${randomUUID()}.part`);
  const handle = await open(file, 'wx');
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge(maxBytes);
      hash.update(chunk);
      if (head.length < headBytes) head = Buffer.concat([head, chunk.subarray(0, headBytes - head.length)]);
      await handle.write(chunk);
    }
    // On disk before the upload is acknowledged: the store's rename only moves what is already durable.
    await handle.sync();
    await handle.close();
    return { file, hash: hash.digest('hex'), size, head };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(file, { force: true });
    throw error;
  }
}

/** Removes what crashed uploads left behind; only old files, since another process may share the folder. */
export async function sweepIncoming(dir: string, olderThanMs = 3600_000): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > olderThanMs) await rm(path, { force: true });
  }
}
