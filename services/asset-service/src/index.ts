import { defineService } from '@loom/runtime';
import { AssetCore } from './core/assets.ts';

export { AssetCore } from './core/assets.ts';

export const service = defineService({
  name: 'asset-service',
  dependsOn: ['persistence-service'],
  async start({ directory }) {
    return { implementation: new AssetCore(directory.connect('persistence-service')), stop: async () => {} };
  },
});
