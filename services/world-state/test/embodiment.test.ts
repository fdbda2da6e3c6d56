// 3D players' time: each physics step covers all the time since the one before, so late ticks and a
// slow physics call (a busy server) never make characters walk slower. The test is the clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StepResult } from '@loom/proto';
import { Embodiment, type PhysicsPort } from '../src/core/embodiment.ts';
import { createTestWorld } from './world-fixture.ts';

interface Sent {
  tick: number;
  dt: number;
  answer(): void;
}

function recordingPhysics(): { port: PhysicsPort; sent: Sent[] } {
  const sent: Sent[] = [];
  const port: PhysicsPort = {
    setRegion: async () => {},
    addCharacter: async () => {},
    removeCharacter: async () => {},
    addBody: async () => {},
    step: (tick, dt) =>
      new Promise<StepResult>((resolve) => {
        sent.push({ tick, dt, answer: () => resolve({ tick, bodies: [], triggers: [], doorways: [], regions: [], missingRegions: [], stepMs: 0 }) });
      }),
  };
  return { port, sent };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('embodiment time', () => {
  it('a step covers the ticks it could not be sent on and the time between late ticks', async () => {
    const { game, connect } = createTestWorld();
    const { port, sent } = recordingPhysics();
    const embodiment = new Embodiment(game, port, (error) => assert.fail(String(error)));
    await embodiment.join(connect('Botty').object);

    embodiment.tick(1, 1000); // the first step: one normal tick (dt 0)
    assert.deepEqual(sent.map((s) => s.dt), [0]);
    // Physics is slow: ticks 2 and 3 find the step still running and send nothing.
    embodiment.tick(2, 1050);
    embodiment.tick(3, 1100);
    assert.equal(sent.length, 1);
    sent[0]!.answer();
    await settle();
    // Tick 4 is late (the event loop was busy): its step covers 1000 -> 1400 ms.
    embodiment.tick(4, 1400);
    assert.equal(sent.length, 2);
    assert.ok(Math.abs(sent[1]!.dt - 0.4) < 1e-9, `the second step covers 0.4 s: ${sent[1]!.dt}`);
    sent[1]!.answer();
    await settle();
    embodiment.tick(5, 1450);
    assert.ok(Math.abs(sent[2]!.dt - 0.05) < 1e-9, 'and an on-time tick one tick');
  });

  it('time while nobody is embodied is not owed to the next 3D player', async () => {
    const { game, connect } = createTestWorld();
    const { port, sent } = recordingPhysics();
    const embodiment = new Embodiment(game, port, (error) => assert.fail(String(error)));
    const botty = connect('Botty').object;
    await embodiment.join(botty);
    embodiment.tick(1, 0);
    sent[0]!.answer();
    await embodiment.leave(botty);
    await settle();
    embodiment.tick(2, 50);
    assert.equal(sent.length, 1, 'no step with nobody in 3D');
    await embodiment.join(botty);
    embodiment.tick(3, 60_000);
    assert.equal(sent[1]!.dt, 0, 'a minute later, the first step is one tick again');
  });
});

describe('what a 3D player is sent', () => {
  it('names its own character in every snapshot, and describes each entity once, again only when it changes', async () => {
    const { game, connect } = createTestWorld();
    const { port } = recordingPhysics();
    const embodiment = new Embodiment(game, port, (error) => assert.fail(String(error)));
    const botty = connect('Botty');
    // A thing named like the player stands beside it: the snapshot says which one is the player.
    const double = game.world.create({ name: 'Botty', kind: 'thing', locationId: botty.object.locationId });
    await embodiment.join(botty.object);

    embodiment.tick(1, 0);
    embodiment.tick(2, 50);
    double.attributes.model = 'models/statue.glb';
    embodiment.tick(3, 100);

    const snapshots = botty.events.flatMap((e) => (e.snapshot ? [e.snapshot] : []));
    assert.deepEqual(snapshots.map((s) => s.tick), [1, 2, 3]);
    assert.ok(snapshots.every((s) => s.viewerEntityId === botty.object.id && s.roomId === botty.object.locationId));
    assert.ok(snapshots.every((s) => s.entities.some((e) => e.id === double.id) && s.entities.some((e) => e.id === botty.object.id && e.embodied)));
    const described = botty.events.flatMap((e) => (e.entity?.id === double.id || e.entity?.id === botty.object.id ? [`${e.entity.id} ${e.entity.model}`] : []));
    assert.deepEqual(described, [`${double.id} `, `${botty.object.id} `, `${double.id} models/statue.glb`]);
  });
});
