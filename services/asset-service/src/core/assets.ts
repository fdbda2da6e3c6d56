// Asset metadata by content hash; names resolve to their newest hash, old hashes keep working.
import type { AssetMeta, AssetServiceImplementation, GetMetaRequest } from '@loom/proto';
import { InvalidArgumentError, type ServiceClient } from '@loom/runtime';
import { allowedTypes } from './content-types.ts';

export const sha256Hex = /^[0-9a-f]{64}$/;

/** Names are paths of a URL (`/assets/by-name/<name>`): a safe alphabet, and no `..` to climb with. */
export function checkAssetName(name: string): string {
  if (!/^[A-Za-z0-9_./-]{1,200}$/.test(name) || name.includes('..')) {
    throw new InvalidArgumentError(`asset name "${name.slice(0, 210)}" must be 1 to 200 characters of A-Z a-z 0-9 _ . / - without ".."`);
  }
  return name;
}

export class AssetCore implements AssetServiceImplementation {
  constructor(private readonly persistence: ServiceClient<'persistence-service'>) {}

  async putMeta(meta: AssetMeta): Promise<AssetMeta> {
    if (!sha256Hex.test(meta.hash)) throw new InvalidArgumentError('hash must be the lowercase hex sha256 of the content');
    checkAssetName(meta.name);
    if (!(allowedTypes as readonly string[]).includes(meta.contentType)) {
      throw new InvalidArgumentError(`content type "${meta.contentType}" is not one of ${allowedTypes.join(', ')}`);
    }
    if (meta.size <= 0) throw new InvalidArgumentError('size must be positive');
    return this.persistence.putAssetMeta({ ...meta, createdAtMs: meta.createdAtMs || Date.now() });
  }

  async getMeta(request: GetMetaRequest): Promise<AssetMeta> {
    if (!request.hash && !request.name) throw new InvalidArgumentError('give a hash or a name');
    return this.persistence.getAssetMeta(request);
  }
}
