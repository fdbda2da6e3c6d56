// PLACEHOLDER until the 3D issue: no Rapier world yet, so Step answers UNIMPLEMENTED.
import { defineService, UnimplementedError } from '@loom/runtime';

export const service = defineService({
  name: 'physics-service',
  dependsOn: [],
  async start() {
    return {
      implementation: {
        async step() {
          throw new UnimplementedError('physics-service: the collision world is not built yet');
        },
      },
      stop: async () => {},
    };
  },
});
