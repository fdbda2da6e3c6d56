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

// S3: against the server given in TEST_S3_ENDPOINT (MinIO, Ceph, AWS...), or else against s3rver, an
// S3-compatible server written in Node, started here on a free port: the store speaks the real S3 HTTP
// protocol through the AWS SDK either way.
const given = process.env.TEST_S3_ENDPOINT;
let endpoint = given;
if (!given) {
  const { default: S3rver } = await import('s3rver');
  const directory = mkdtempSync(join(tmpdir(), 'loom-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: 'loom-test', configs: [] }] });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
  // s3rver's fixed credentials.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  after(async () => {
    await server.close();
    rmSync(directory, { recursive: true, force: true });
  });
}
blobStoreContract('S3BlobStore', {
  skip: false,
  open: () => new S3BlobStore({ bucket: process.env.TEST_S3_BUCKET ?? 'loom-test', endpoint, region: process.env.TEST_S3_REGION ?? 'us-east-1' }),
});
