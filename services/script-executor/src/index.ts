// PLACEHOLDER until the scripting issue: the sandbox is not built yet, so Run answers UNIMPLEMENTED.
import { defineService, UnimplementedError } from '@loom/runtime';

export const service = defineService({
  name: 'script-executor',
  dependsOn: [],
  async start() {
    return {
      implementation: {
        async run() {
          throw new UnimplementedError('script-executor: the script sandbox is not built yet');
        },
      },
      stop: async () => {},
    };
  },
});
