// The BlobStore contract against the file store, and against S3 when a test S3 server is given.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { FileBlobStore } from '../src/store/file-blob-store.ts';
import { S3BlobStore } from '../src/store/s3-blob-store.ts';
import { blobStoreContract } from './blob-store.contract.ts';

const root = mkdtempSync(join(tmpdir(), 'loom-file-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
blobStoreContract('FileBlobStore', { skip: false, open: () => new FileBlobStore(root) });

// No S3-compatible server is among the servers this machine (or CI) promises, unlike PostgreSQL, Redis and
// RabbitMQ: so this suite is skipped, with the reason printed, whenever none is given, even under CI=true.
// To run it: TEST_S3_ENDPOINT=http://127.0.0.1:9000 TEST_S3_BUCKET=loom-test AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=...
const endpoint = process.env.TEST_S3_ENDPOINT;
const s3Skip = endpoint ? false : 'TEST_S3_ENDPOINT is unset (no S3-compatible server on this machine)';
if (s3Skip) process.stderr.write(`SKIPPING S3BlobStore tests: ${s3Skip}\n`);
blobStoreContract('S3BlobStore', {
  skip: s3Skip,
  open: () => new S3BlobStore({ bucket: process.env.TEST_S3_BUCKET ?? 'loom-test', endpoint, region: process.env.TEST_S3_REGION }),
});
