// A 3D player and a telnet player share a room: the 3D player's inputs move its body through physics, both
// see each other, and walking through the north doorway is the same room change as a text `go north`.
// This drives world-state's contract directly, the way graphics-gateway does; a plate with on_step fires as the body crosses it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Gateway, type Snapshot, type WorldEvent } from '@loom/proto';
import { service as auth } from '@loom/auth-service';
import { service as chat } from '@loom/chat-service';
import { service as persistence } from '@loom/persistence-service';
import { service as physics } from '@loom/physics-service';
import { defineService, type ServiceClient } from '@loom/runtime';
import { needServer } from '@loom/runtime/testing/servers.ts';
import { startWiring, type Wiring, type WiringKind } from '@loom/runtime/testing/wiring.ts';
import { service as scriptExecutor } from '@loom/script-executor';
import { service as worldState } from '@loom/world-state';
import { eventually } from '@loom/runtime/testing/patience.ts';

const servers = await Promise.all([needServer('postgres'), needServer('redis'), needServer('rabbitmq')]);
const distributedSkip = servers.find((s) => s.skip)?.skip ?? false;

function story(kind: WiringKind, skip: string | false) {
  describe(`a 3D player beside a text player (${kind})`, { skip }, () => {
    let wiring: Wiring;
    let world: ServiceClient<'world-state'>;
    let accounts: ServiceClient<'auth-service'>;
    // Stands in for the graphics gateway: a caller that gets its clients from the directory.
    const gateway = defineService({
      name: 'graphics-gateway',
      dependsOn: ['world-state', 'auth-service'],
      async start({ directory }) {
        world = directory.connect('world-state');
        accounts = directory.connect('auth-service');
        return { stop: async () => {} };
      },
    });

    before(async () => {
      wiring = await startWiring(kind, [persistence, auth, chat, scriptExecutor, physics, worldState, gateway], {});
    });
    after(() => wiring?.stop());

    async function enter(name: string, gatewayKind: Gateway) {
      const { accessToken } = await accounts.register({ username: name, password: `${name}-password`, email: '' });
      const sessionId = randomUUID();
      const events: WorldEvent[] = [];
      // Entities are named once (and when that changes), before the snapshots that show them.
      const names = new Map<number, string>();
      const abort = new AbortController();
      const stream = world.openSession({ sessionId, gateway: gatewayKind, accessToken, clientAddress: '127.0.0.1' }, { signal: abort.signal });
      void (async () => {
        try {
          for await (const event of stream) {
            events.push(event);
            if (event.entity) names.set(event.entity.id, event.entity.name);
          }
        } catch {
          // the test ends the stream
        }
      })();
      const until = <T>(find: () => T | undefined, what: string): Promise<T> =>
        eventually(find, `${what} for ${name}`, () => `last events: ${events.slice(-5).map((e) => JSON.stringify(e).slice(0, 80)).join(' | ')}`);
      const said = (e: WorldEvent) => e.text?.markup ?? '';
      const heard = (pattern: RegExp) => until(() => events.find((e) => pattern.test(said(e))), String(pattern));
      const seen = (snapshot: Snapshot) => snapshot.entities.map((e) => ({ ...e, ...e.position!, name: names.get(e.id), self: e.id === snapshot.viewerEntityId }));
      const snapshots = () => events.flatMap((e) => (e.snapshot ? [seen(e.snapshot)] : []));
      const snapshot = () => {
        const last = events.filter((e) => e.snapshot).at(-1)?.snapshot;
        return last && { roomId: last.roomId, entities: seen(last) };
      };
      return { sessionId, events, until, snapshot, snapshots, said, heard, close: () => abort.abort() };
    }

    it('sees the text player, walks north through the doorway, and the text player sees it leave', async () => {
      const text = await enter('Tess', Gateway.GATEWAY_TELNET);
      const bot = await enter('Botty', Gateway.GATEWAY_UDP);
      try {
        const first = await bot.until(() => bot.snapshot(), 'snapshot');
        assert.ok(first.entities.some((e) => e.name === 'Tess' && !e.embodied), JSON.stringify(first.entities));
        await text.heard(/Botty has entered the world\./);
        await world.submitIntent({ sessionId: text.sessionId, command: 'look', accessToken: '' });
        await text.heard(/Botty( \(#\d+\))? is here/);
        // Tess (the first account: an admin) lays a pressure plate on the bot's way north.
        for (const command of [
          '@create pressure plate',
          'drop pressure plate',
          '@set pressure plate/position=[0,0,-4]',
          "@script pressure plate/on_step=emitRoom('Click! The plate sinks under ' + event.actor.name + '.');",
          // A crate flagged physical, held up in the air: physics lets it fall to the floor.
          '@create crate',
          'drop crate',
          '@set crate/position=[4,3,4]',
          '@set crate=physical',
        ]) {
          await world.submitIntent({ sessionId: text.sessionId, command, accessToken: '' });
        }
        await text.heard(/Saved on_step of pressure plate/);
        await text.heard(/crate \(#\d+\) is now physical/);
        // Every snapshot is kept: the crate shows up where it was put (3 m up), then resting where it fell.
        const crateHeights = () =>
          bot
            .snapshots()
            .map((entities) => entities.find((x) => x.name === 'crate')?.y)
            .filter((y): y is number => y !== undefined);
        const landed = await bot.until(() => {
          const heights = crateHeights();
          const raised = heights.findIndex((y) => y > 1);
          const rest = raised < 0 ? undefined : heights.slice(raised).find((y) => y < 0.5);
          return rest === undefined ? undefined : { y: rest };
        }, 'the crate falling to the floor');
        assert.ok(landed.y > 0.1, `the crate rests on the floor, not in it (y = ${landed.y})`);
        const start = first.entities.find((e) => e.self)!;
        assert.equal(start.name, 'Botty');
        let clientTick = 0;
        const walkNorth = setInterval(() => {
          void world.submitIntent({ sessionId: bot.sessionId, command: '', accessToken: '', move: { clientTick: ++clientTick, direction: { x: 0, y: 0, z: -1 }, yaw: 0, jump: false } }).catch(() => undefined);
        }, 50);
        try {
          await bot.until(() => {
            const s = bot.snapshot();
            const me = s?.entities.find((e) => e.self);
            return me && me.z < start.z - 1 ? me : undefined;
          }, 'movement north');
          await text.heard(/Click! The plate sinks under Botty\./);
          const where = () => {
            const me = bot.snapshot()?.entities.find((e) => e.self);
            return `Botty at ${me ? `x=${me.x.toFixed(2)} z=${me.z.toFixed(2)}` : 'nowhere'} in ${bot.snapshot()?.roomId}, ${bot.events.length} events`;
          };
          await eventually(() => text.events.find((e) => /Botty leaves north\./.test(text.said(e))), 'Botty leaving north, for Tess', where);
          await bot.heard(/Weavers' Lane/);
        } finally {
          clearInterval(walkNorth);
        }
        await bot.until(() => (bot.snapshot()?.entities.some((e) => e.self) && bot.events.some((e) => e.room?.name === "Weavers' Lane") ? true : undefined), 'room change');
      } finally {
        text.close();
        bot.close();
      }
    });
  });
}

story('all-in-one', false);
story('distributed', distributedSkip);
