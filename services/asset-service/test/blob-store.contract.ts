// What every BlobStore does; each implementation runs this suite (see blob-store.test.ts).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { NotFoundError } from '@loom/runtime';
import type { BlobStore } from '../src/store/blob-store.ts';

async function bytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function blobStoreContract(name: string, options: { skip: string | false; open: () => BlobStore }): void {
  describe(`BlobStore contract: ${name}`, { skip: options.skip }, () => {
    const scratch = mkdtempSync(join(tmpdir(), 'loom-blobs-'));
    after(() => rmSync(scratch, { recursive: true, force: true }));
    // Unique content per run, so a shared bucket never already holds it.
    const content = Buffer.concat([Buffer.from(`blob ${process.pid} ${Date.now()} ${Math.random()} `), Buffer.alloc(5000, 7)]);
    const hash = createHash('sha256').update(content).digest('hex');
    const temp = (label: string) => {
      const file = join(scratch, label);
      writeFileSync(file, content);
      return file;
    };

    it('takes content in once, then says it already has it and drops the temp file', async () => {
      const store = options.open();
      const first = temp('first');
      assert.equal(await store.put(hash, first, content.length, 'image/png'), true);
      assert.equal(existsSync(first), false);
      const second = temp('second');
      assert.equal(await store.put(hash, second, content.length, 'image/png'), false);
      assert.equal(existsSync(second), false);
      assert.equal(await store.size(hash), content.length);
      store.close?.();
    });

    it('reads the whole content and inclusive byte ranges', async () => {
      const store = options.open();
      assert.deepEqual(await bytes(await store.read(hash)), content);
      assert.deepEqual(await bytes(await store.read(hash, { start: 0, end: 3 })), content.subarray(0, 4));
      assert.deepEqual(await bytes(await store.read(hash, { start: content.length - 10, end: content.length - 1 })), content.subarray(-10));
      store.close?.();
    });

    it('says what it does not have', async () => {
      const store = options.open();
      const unknown = 'f'.repeat(64);
      assert.equal(await store.size(unknown), undefined);
      await assert.rejects(store.read(unknown), NotFoundError);
      store.close?.();
    });
  });
}
