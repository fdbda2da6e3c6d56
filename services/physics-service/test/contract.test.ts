// physics-service through its gRPC contract, called the way world-state calls it: the directory's
// client, in-process in the all-in-one and real gRPC between two processes' hosts in the distributed
// wiring (which runs when PostgreSQL, Redis and RabbitMQ answer here).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StepRequest } from '@loom/proto';
import { defineService, InvalidArgumentError, NotFoundError, type ServiceClient } from '@loom/runtime';
import { needServer } from '@loom/runtime/testing/servers.ts';
import { startWiring, type Wiring, type WiringKind } from '@loom/runtime/testing/wiring.ts';
import { service as physics } from '../src/index.ts';
import { go, room, v3 } from './fixture.ts';

const servers = await Promise.all([needServer('postgres'), needServer('redis'), needServer('rabbitmq')]);
const distributedSkip = servers.find((s) => s.skip)?.skip ?? false;

function story(kind: WiringKind, skip: string | false) {
  describe(`physics over the contract (${kind})`, { skip }, () => {
    let wiring: Wiring;
    let client: ServiceClient<'physics-service'>;
    let tick = 0;
    // Stands in for world-state: a caller that gets its physics client from the directory.
    const caller = defineService({
      name: 'graphics-gateway',
      dependsOn: ['physics-service'],
      async start({ directory }) {
        client = directory.connect('physics-service');
        return { stop: async () => {} };
      },
    });
    const step = (regions: StepRequest['regions'], wait = true) => client.step({ tick: ++tick, dt: 0.05, regions, wait });

    before(async () => {
      wiring = await startWiring(kind, [physics, caller]);
      await client.setRegion(room(1, {
        doorways: [{ wall: 'east', offset: -3, width: 2, height: 3 }],
        triggers: [{ triggerId: 500, position: v3(5, 1, -3), halfExtents: v3(1, 1, 1) }],
      }));
    });
    after(async () => {
      await wiring?.stop();
    });

    it('a player walks east over a trigger and out through the doorway', async () => {
      await client.addCharacter({ regionId: 1, entityId: 42, position: v3(0, 0, -3) });
      const first = await step([{ regionId: 1, inputs: [go(42, 4, 0)] }]);
      assert.equal(first.tick, tick);
      assert.equal(first.bodies[0]?.entityId, 42);
      const triggers = [...first.triggers];
      const doorways = [...first.doorways];
      for (let i = 0; i < 70; i++) {
        const r = await step([{ regionId: 1, inputs: [] }]);
        triggers.push(...r.triggers);
        doorways.push(...r.doorways);
        assert.equal(r.regions[0]?.regionId, 1);
        assert.ok(r.stepMs > 0);
      }
      assert.deepEqual(triggers.map((t) => [t.triggerId, t.entityId, t.phase]), [[500, 42, 'enter'], [500, 42, 'leave']]);
      assert.deepEqual(doorways, [{ entityId: 42, regionId: 1, doorwayIndex: 0 }]);
      await client.removeCharacter({ regionId: 1, entityId: 42 });
    });

    it('answers a tick loop at once with the step that finished before', async () => {
      await step([{ regionId: 1, inputs: [] }]); // nothing in flight now
      const r = await step([{ regionId: 1, inputs: [] }], false);
      assert.ok(r.tick < tick, `tick ${r.tick} is an earlier step than ${tick}`);
    });

    it('drops a physical crate that lands on the floor', async () => {
      await client.addBody({ regionId: 1, entityId: 7, position: v3(-3, 2, 3), boxHalfExtents: v3(0.3, 0.3, 0.3), mass: 4 });
      let y = 2;
      for (let i = 0; i < 40; i++) y = (await step([])).bodies.find((b) => b.entityId === 7)?.position?.y ?? y;
      assert.ok(Math.abs(y - 0.3) < 0.02, `on the floor: y=${y}`);
    });

    it('refuses bad requests with typed errors, and names regions it does not hold', async () => {
      await assert.rejects(client.addCharacter({ regionId: 404, entityId: 1, position: undefined }), NotFoundError);
      await assert.rejects(client.setRegion(room(2, { doorways: [{ wall: 'ceiling', offset: 0, width: 0, height: 0 }] })), InvalidArgumentError);
      assert.deepEqual((await step([{ regionId: 404, inputs: [] }])).missingRegions, [404]);
      await client.removeRegion({ regionId: 404 }); // idempotent
    });

    it('exports where the time goes on /metrics', async () => {
      const host = wiring.hosts.get(kind === 'all-in-one' ? 'loom' : 'physics-service')!;
      const text = await (await fetch(`http://127.0.0.1:${host.httpPort}/metrics`)).text();
      for (const name of ['loom_physics_step_seconds', 'loom_physics_region_step_seconds', 'loom_physics_character_move_seconds']) {
        const count = Number(text.match(new RegExp(`^${name}_count\\{[^}]*\\} (\\d+)`, 'm'))?.[1]);
        assert.ok(count > 0, `${name} observed`);
      }
    });
  });
}

story('all-in-one', false);
story('distributed', distributedSkip);
