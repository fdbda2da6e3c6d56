import { defineService } from '@loom/runtime';
import { adminRoutes } from './api/admin-routes.ts';
import { authRoutes } from './api/auth-routes.ts';
import { clientRoutes } from './api/client-routes.ts';
import { installDocs } from './api/docs.ts';
import { installErrorHandler } from './api/errors.ts';
import { scriptRoutes } from './api/script-routes.ts';

export const service = defineService({
  name: 'http-api',
  dependsOn: ['auth-service', 'world-state', 'chat-service', 'asset-service'],
  async start({ http, directory, logger }) {
    installErrorHandler(http);
    await installDocs(http);
    const auth = directory.connect('auth-service');
    authRoutes(http, auth);
    adminRoutes(http, auth);
    scriptRoutes(http, directory.connect('world-state'));
    await clientRoutes(http, logger);
    return { stop: async () => {} };
  },
});
