// Assets as files: <root>/<first two hex digits>/<hash>, taken in by an atomic rename and fsynced,
// so that a crash leaves either the whole file or none, and an acknowledged upload survives it.
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { NotFoundError } from '@loom/runtime';
import type { ByteRange } from '../core/ranges.ts';
import type { BlobStore } from './blob-store.ts';

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

export class FileBlobStore implements BlobStore {
  constructor(readonly root: string) {}

  private path(hash: string): string {
    return join(this.root, hash.slice(0, 2), hash);
  }

  async put(hash: string, file: string): Promise<boolean> {
    const target = this.path(hash);
    if ((await this.size(hash)) !== undefined) {
      await rm(file, { force: true });
      return false;
    }
    await mkdir(dirname(target), { recursive: true });
    await rename(file, target);
    const dir = await open(dirname(target), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return true;
  }

  async size(hash: string): Promise<number | undefined> {
    try {
      return (await stat(this.path(hash))).size;
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
  }

  async read(hash: string, range?: ByteRange): Promise<Readable> {
    try {
      const handle = await open(this.path(hash), 'r');
      return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
    } catch (error) {
      if (missing(error)) throw new NotFoundError(`no stored content for ${hash}`);
      throw error;
    }
  }
}
