import { defineService, installJsonErrors } from '@loom/runtime';
import { downloadRoutes } from './api/download-routes.ts';
import { sweepIncoming } from './api/receive.ts';
import { uploadRoutes } from './api/upload-routes.ts';
import { AssetCore } from './core/assets.ts';
import { incomingDir, openBlobStore } from './store/blob-store.ts';

export { AssetCore } from './core/assets.ts';
export type { BlobStore } from './store/blob-store.ts';

export const service = defineService({
  name: 'asset-service',
  dependsOn: ['persistence-service', 'auth-service'],
  async start({ config, directory, http }) {
    const core = new AssetCore(directory.connect('persistence-service'));
    const store = await openBlobStore(config);
    const incoming = incomingDir(config);
    await sweepIncoming(incoming);
    // A plugin of its own: its raw-body parsing and error handler stay off http-api's routes on port 8080.
    await http.register(async (app) => {
      installJsonErrors(app);
      uploadRoutes(app, { auth: directory.connect('auth-service'), core, store, incoming, maxBytes: config.assetMaxBytes });
      downloadRoutes(app, { core, store });
    });
    return { implementation: core, stop: async () => store.close?.() };
  },
});
