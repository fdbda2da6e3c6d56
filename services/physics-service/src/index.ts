// physics-service: Rapier collision worlds, one per region (room), on a worker thread beside the tick.
// The gRPC contract is answered from the main thread, which never simulates (core/physics-thread.ts
// explains the pipelining); where each step's time went is exported as Prometheus histograms.
import { Counter, defineService, Histogram } from '@loom/runtime';
import { physicsApi } from './api/grpc.ts';
import { PhysicsThread } from './core/physics-thread.ts';

// Seconds, from 50 µs (an idle room) to 250 ms (far over a 50 ms tick).
const buckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

export const service = defineService({
  name: 'physics-service',
  dependsOn: [],
  async start({ metrics, logger }) {
    const registers = [metrics.registry];
    const stepSeconds = new Histogram({ registers, buckets, name: 'loom_physics_step_seconds', help: 'Physics-thread time of one Step, all regions together.' });
    const regionSeconds = new Histogram({ registers, buckets, name: 'loom_physics_region_step_seconds', help: "One region's Rapier world step (collisions, solver, sensor events)." });
    const moveSeconds = new Histogram({ registers, buckets, name: 'loom_physics_character_move_seconds', help: "One region's character-controller moves, all its characters together." });
    const coalesced = new Counter({ registers, name: 'loom_physics_coalesced_ticks_total', help: 'Ticks merged into a later step because the physics thread was still busy (physics behind).' });
    const thread = await PhysicsThread.start();
    let seen = 0;
    thread.onStep = (result) => {
      stepSeconds.observe(result.stepMs / 1000);
      for (const r of result.regions) {
        regionSeconds.observe(r.stepMs / 1000);
        moveSeconds.observe(r.moveMs / 1000);
      }
      coalesced.inc(thread.coalesced - seen);
      seen = thread.coalesced;
      if (result.missingRegions.length) logger.debug({ regions: result.missingRegions }, 'Step listed regions this service does not hold');
    };
    thread.onRestart = (why) => logger.error({ err: why }, 'the physics thread died and was replaced; world-state re-sends the regions Step reports missing');
    return {
      implementation: physicsApi(thread),
      listening: ['physics: Rapier on one worker thread, one world per region'],
      ready: () => thread.whenReady(),
      stop: () => thread.close(),
    };
  },
});
