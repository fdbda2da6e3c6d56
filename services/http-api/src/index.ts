import { answerUnknownRoutes, defineService, installJsonErrors } from '@loom/runtime';
import { adminRoutes } from './api/admin-routes.ts';
import { authRoutes } from './api/auth-routes.ts';
import { clientRoutes } from './api/client-routes.ts';
import { installDocs } from './api/docs.ts';
import { frontDoor } from './api/front-door.ts';
import { scriptRoutes } from './api/script-routes.ts';

export const service = defineService({
  name: 'http-api',
  dependsOn: ['auth-service', 'world-state', 'chat-service', 'asset-service'],
  // The client, accounts and assets need no world: only the script routes wait for world-state's restart.
  copesWithout: ['world-state'],
  async start({ http, directory, logger, config }) {
    installJsonErrors(http);
    answerUnknownRoutes(http);
    await installDocs(http);
    const auth = directory.connect('auth-service');
    authRoutes(http, auth);
    adminRoutes(http, auth);
    scriptRoutes(http, directory.connect('world-state'));
    await clientRoutes(http, logger);
    const forwarded = await frontDoor(http, config);
    return { listening: forwarded.map((route) => `forwarding ${route}`), stop: async () => {} };
  },
});
