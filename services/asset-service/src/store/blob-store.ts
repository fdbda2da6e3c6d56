// Where asset bytes live, addressed by their sha256: files under LOOM_DATA_DIR/assets, or an S3 bucket.
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { LoomConfig } from '@loom/runtime';
import type { ByteRange } from '../core/ranges.ts';
import { FileBlobStore } from './file-blob-store.ts';

export interface BlobStore {
  /**
   * Takes a complete, already hashed temp file in under its hash; the temp file is gone afterwards.
   * True when the content is new, false when the store already had it (nothing is stored twice).
   */
  put(hash: string, file: string, size: number, contentType: string): Promise<boolean>;
  /** The stored size, or undefined when the store does not have the content. */
  size(hash: string): Promise<number | undefined>;
  /** The content, or one inclusive byte range of it; NotFoundError when absent (raised before any byte). */
  read(hash: string, range?: ByteRange): Promise<Readable>;
  /** Releases connections, when the store holds any. */
  close?(): void;
}

/** The folder uploads are received into: beside the file store, so that taking one in is a rename. */
export const incomingDir = (config: LoomConfig) => join(config.dataDir, 'assets', 'incoming');

export async function openBlobStore(config: LoomConfig): Promise<BlobStore> {
  if (!config.assetS3Bucket) return new FileBlobStore(join(config.dataDir, 'assets'));
  // Loaded only when configured: the SDK is large and the all-in-one default never needs it.
  const { S3BlobStore } = await import('./s3-blob-store.ts');
  return new S3BlobStore({ bucket: config.assetS3Bucket, endpoint: config.assetS3Endpoint, region: config.assetS3Region });
}
