// Test support: the starter world in memory with fake ports, characters connected to it, what each is told.
import assert from 'node:assert/strict';
import { Gateway, ScriptJob, ScriptOutcome, type ChannelLock, type Effect, type WorldEvent } from '@loom/proto';
import { Interpreter } from '../src/core/commands/interpreter.ts';
import { EventQueue } from '../src/core/event-queue.ts';
import { NotFoundError } from '@loom/runtime';
import { Game, type ChatPort, type ScriptsPort, type ScriptVersion } from '../src/core/game.ts';
import type { WorldObj } from '../src/core/model.ts';
import { Sessions, type Session } from '../src/core/sessions.ts';
import { buildStarterWorld } from '../src/core/starter-world.ts';
import { World } from '../src/core/world.ts';
import { HandlerIndex } from '../src/core/scripting/handlers.ts';
import { Scripting } from '../src/core/scripting/scripting.ts';

export interface Player {
  object: WorldObj;
  session: Session;
  /** Everything told since the last read, as text with markup. */
  read(): string;
  events: WorldEvent[];
}

/** Stands in for the sandbox: a script's source is JSON, the effects it "asks for" (script.proto's Effect). */
export interface FakeSandbox {
  jobs: ScriptJob[];
  /** Lets the outcomes that came back take effect, as the tick would. */
  tick(): void;
}

export interface TestWorld {
  sandbox: FakeSandbox;
  game: Game;
  interpreter: Interpreter;
  posted: Array<{ channel: string; text: string }>;
  shutdownReason(): string | undefined;
  connect(name: string, role?: string): Player;
  run(player: Player, line: string): Promise<string>;
}

/** Scripts kept in memory with versions, as persistence-service keeps them. */
function memoryScripts(): ScriptsPort {
  const all: Array<ScriptVersion & { objectId: number }> = [];
  const of = (objectId: number, event: string) => all.filter((s) => s.objectId === objectId && s.event === event);
  return {
    events: async (objectId) => {
      const events = new Set(all.filter((s) => s.objectId === objectId).map((s) => s.event));
      return [...events].map((e) => of(objectId, e).at(-1)!).filter((s) => !s.deleted);
    },
    get: async (objectId, event, version) => {
      const found = version ? of(objectId, event).find((s) => s.version === version) : of(objectId, event).at(-1);
      if (!found || (!version && found.deleted)) throw new NotFoundError(`#${objectId} ${event} has no script`);
      return found;
    },
    history: async (objectId, event) => of(objectId, event),
    save: async (objectId, event, source, authorId, deleted = false) => {
      const saved = { objectId, event, source, authorId, deleted, version: of(objectId, event).length + 1, createdAtMs: Date.now() };
      all.push(saved);
      return saved;
    },
  };
}

export function createTestWorld(options: { runsPerOwnerPerSecond?: number; objectQuota?: number } = {}): TestWorld {
  let next = 1;
  const world = new World(() => next++);
  buildStarterWorld(world, 'Testworld');
  const posted: Array<{ channel: string; text: string }> = [];
  let shutdown: string | undefined;
  const locks = new Map<string, ChannelLock>();
  const chat: ChatPort = {
    post: async (channel, _sender, text) => {
      posted.push({ channel, text });
      return text.replaceAll('darn', '****');
    },
    join: async () => [{ senderName: 'Cy', text: 'earlier words', sentAtMs: 0 }],
    history: async () => [{ senderName: 'Cy', text: 'earlier words', sentAtMs: 0 }],
    moderate: async (channel, _target, action, durationS) => `${action}d on ${channel} for ${durationS}s`,
    lock: async (channel, kind, key, byId) => void locks.set(`${channel}/${kind}`, { channel, kind, key, byId, setAtMs: 0 }),
    unlock: async (channel, kind) => locks.delete(`${channel}/${kind}`),
    locks: async (channels) => [...locks.values()].filter((l) => channels.includes(l.channel)),
  };
  const game = new Game(world, new Sessions(), {
    worldName: 'Testworld',
    objectQuota: options.objectQuota,
    chat,
    scripts: memoryScripts(),
    account: { changePassword: async (_token, current) => void (current === 'right' || assert.fail('wrong password passed')) },
    requestShutdown: (reason) => (shutdown = reason),
  });
  const interpreter = new Interpreter();
  const jobs: ScriptJob[] = [];
  const scripting: Scripting = new Scripting(game, new HandlerIndex(), {
    runner: {
      async submit(sent) {
        // Both cross the wire as encoded messages, as through the queue and the bus.
        const job = ScriptJob.decode(ScriptJob.encode(sent).finish());
        jobs.push(job);
        let outcome: ScriptOutcome;
        try {
          outcome = ScriptOutcome.create({ runId: job.runId, effects: JSON.parse(job.source) as Effect[] });
        } catch (error) {
          outcome = ScriptOutcome.create({ runId: job.runId, error: (error as Error).message, errorKind: 'syntax', line: 1, column: 1 });
        }
        const received = ScriptOutcome.decode(ScriptOutcome.encode(outcome).finish());
        // As from a real sandbox: later, never inside the command that started the run.
        setImmediate(() => scripting.received(received));
      },
    },
    runsPerOwnerPerSecond: options.runsPerOwnerPerSecond ?? 5,
    onError: (error) => assert.fail(String(error)),
  });
  game.scripting = scripting;

  function connect(name: string, role = 'player'): Player {
    const start = [...game.world.all()].find((o) => o.flags.has('start'))!;
    const object = game.world.create({ name, kind: 'player', locationId: start.id, attributes: { channels: ['public'] } });
    object.ownerId = object.id;
    const events: WorldEvent[] = [];
    const queue = new EventQueue();
    queue.push = (event) => (events.push(event), true);
    const session: Session = { id: `s-${name}`, playerId: object.id, userId: object.id, username: name, role, gateway: Gateway.GATEWAY_TELNET, clientAddress: '127.0.0.1', accessToken: 't', connectedAtMs: 0, lastCommandAtMs: 0, events: queue };
    game.sessions.add(session);
    let seen = 0;
    return {
      object,
      session,
      events,
      read() {
        const text = events.slice(seen).map((e) => (e.text ?? e.disconnect)?.markup).filter(Boolean).join('\n');
        seen = events.length;
        return text;
      },
    };
  }

  return {
    sandbox: { jobs, tick: () => scripting.tick() },
    game,
    interpreter,
    posted,
    shutdownReason: () => shutdown,
    connect,
    run: (player, line) => interpreter.run(game, player.session, player.object, line, (error) => assert.fail(String(error))),
  };
}
