// Asset metadata by content hash; names resolve to their newest hash, old hashes keep working.
import type { AssetMeta, AssetServiceImplementation, GetMetaRequest } from '@loom/proto';
import { InvalidArgumentError, type ServiceClient } from '@loom/runtime';

const sha256Hex = /^[0-9a-f]{64}$/;
const contentTypePattern = /^[a-z]+\/[a-z0-9.+-]+$/;
export const allowedTypes = ['model/gltf-binary', 'model/gltf+json', 'image/png', 'image/jpeg', 'image/webp', 'audio/ogg', 'audio/mpeg', 'audio/wav'];

export class AssetCore implements AssetServiceImplementation {
  constructor(private readonly persistence: ServiceClient<'persistence-service'>) {}

  async putMeta(meta: AssetMeta): Promise<AssetMeta> {
    if (!sha256Hex.test(meta.hash)) throw new InvalidArgumentError('hash must be the lowercase hex sha256 of the content');
    if (!meta.name.trim() || meta.name.length > 200) throw new InvalidArgumentError('name must have 1 to 200 characters');
    if (!contentTypePattern.test(meta.contentType) || !allowedTypes.includes(meta.contentType)) {
      throw new InvalidArgumentError(`content type "${meta.contentType}" is not one of ${allowedTypes.join(', ')}`);
    }
    if (meta.size <= 0) throw new InvalidArgumentError('size must be positive');
    return this.persistence.putAssetMeta({ ...meta, name: meta.name.trim(), createdAtMs: meta.createdAtMs || Date.now() });
  }

  async getMeta(request: GetMetaRequest): Promise<AssetMeta> {
    if (!request.hash && !request.name) throw new InvalidArgumentError('give a hash or a name');
    return this.persistence.getAssetMeta(request);
  }
}
