// PLACEHOLDER until the text-world issue: the object model and tick loop are not built yet.
import { defineService, UnimplementedError } from '@loom/runtime';

const notYet = (what: string) => new UnimplementedError(`world-state: ${what} is not built yet`);

export const service = defineService({
  name: 'world-state',
  dependsOn: ['persistence-service', 'script-executor', 'physics-service'],
  async start() {
    return {
      implementation: {
        async submitIntent() {
          throw notYet('applying intents');
        },
        // eslint-disable-next-line require-yield
        async *openSession() {
          throw notYet('session event streams');
        },
        async look() {
          throw notYet('looking');
        },
      },
      stop: async () => {},
    };
  },
});
