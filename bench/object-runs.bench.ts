// Script runs per second through world-state's scripting (one run at a time per object, all-or-nothing
// effects) and the real sandbox pool: all on one object (serialized), and spread over many objects
// (parallel), beside the pool's own rate. Every run adds one to a counter, so a lost update shows.
// Run: npm run bench -- object-runs
import { randomUUID } from 'node:crypto';
import { ScriptOutcome, ScriptView } from '../libs/proto/src/index.ts';
import { SandboxPool } from '../services/script-executor/src/core/pool.ts';
import { Game } from '../services/world-state/src/core/game.ts';
import { HandlerIndex } from '../services/world-state/src/core/scripting/handlers.ts';
import { Scripting } from '../services/world-state/src/core/scripting/scripting.ts';
import { Sessions } from '../services/world-state/src/core/sessions.ts';
import { World } from '../services/world-state/src/core/world.ts';
import type { WorldObj } from '../services/world-state/src/core/model.ts';

const ROUNDS = 5;
const COUNTER = "setAttr(self, 'n', (getAttr(self, 'n') ?? 0) + 1);";

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let drawnAt = 0;
function progress(label: string, done: number, total: number): void {
  const now = performance.now();
  if (done < total && now - drawnAt < 100) return;
  drawnAt = now;
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r${label.padEnd(40)} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`);
  if (done === total) process.stderr.write('\n');
}

const pool = new SandboxPool({ memoryBytes: 64 * 1024 * 1024 });
await pool.ready();

let next = 1;
const world = new World(() => next++);
const room = world.create({ name: 'Hall', kind: 'room' });
const owner = world.create({ name: 'Bea', kind: 'player', locationId: room.id, attributes: { role: 'builder' } });
const unused = async () => {
  throw new Error('not in this bench');
};
const game = new Game(world, new Sessions(), {
  worldName: 'Bench',
  chat: { post: unused, join: unused, history: unused, moderate: unused, lock: unused, unlock: unused, locks: unused },
  scripts: { events: unused, get: unused, history: unused, save: unused },
  account: { changePassword: unused },
  requestShutdown: () => undefined,
});
const scripting: Scripting = new Scripting(game, new HandlerIndex(), {
  runsPerOwnerPerSecond: Number.MAX_SAFE_INTEGER,
  onError: (error) => console.error(error),
  runner: {
    // Straight to the pool: the queue and the bus (and encoding for them) are not measured here.
    async submit(job) {
      void pool.run({ source: job.source, eventName: job.event, view: job.view ?? ScriptView.create() }, job.ownerId).then(({ effects, error = '', errorKind = '' }) =>
        scripting.received(ScriptOutcome.create({ runId: job.runId, effects, error, errorKind })),
      );
    },
  },
});
game.scripting = scripting;

/** Counters ten to a room (a run's view carries its room's contents: a room of hundreds costs more). */
function counters(count: number): WorldObj[] {
  let here = room;
  return Array.from({ length: count }, (_, i) => {
    if (i % 10 === 0) here = world.create({ name: `Hall ${i}`, kind: 'room' });
    const thing = world.create({ name: `counter ${randomUUID().slice(0, 6)}`, kind: 'thing', locationId: here.id, ownerId: owner.id });
    scripting.handlers.set(thing.id, { event: 'on_use', version: 1, source: COUNTER, deleted: false, authorId: owner.id });
    return thing;
  });
}

/** An object takes at most this many runs waiting behind its running one (scripting.ts); more are dropped. */
const WAVE = 100;

/** Fires `perObject` uses at each object, in waves an object's queue holds; runs/s once every counter is right. */
async function rate(objects: WorldObj[], perObject: number, label: string): Promise<number> {
  const total = objects.length * perObject;
  const done = () => objects.reduce((sum, o) => sum + Number(o.attributes.n ?? 0), 0);
  const started = performance.now();
  for (let fired = 0; fired < perObject; ) {
    const wave = Math.min(WAVE, perObject - fired);
    for (let i = 0; i < wave; i++) for (const object of objects) scripting.fire('on_use', object, { actor: owner });
    fired += wave;
    while (done() < fired * objects.length) {
      progress(label, done(), total);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  progress(label, total, total);
  const seconds = (performance.now() - started) / 1000;
  for (const object of objects) if (object.attributes.n !== perObject) throw new Error(`lost an update: ${String(object.attributes.n)} of ${perObject}`);
  return total / seconds;
}

const rows: Array<[string, string]> = [];
await rate(counters(50), 20, 'warm-up');
const one: number[] = [];
const many: number[] = [];
const direct: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  one.push(await rate(counters(1), 2000, `one object, round ${r + 1}/${ROUNDS}`));
  many.push(await rate(counters(200), 10, `200 objects, round ${r + 1}/${ROUNDS}`));
  const n = 2000;
  const view = ScriptView.create({ self: { id: 1, name: 'c', kind: 'thing', attributesJson: '{"n":0}' } });
  const t = performance.now();
  await Promise.all(Array.from({ length: n }, () => pool.run({ source: COUNTER, eventName: 'on_use', view })));
  direct.push(n / ((performance.now() - t) / 1000));
  progress(`pool alone, round ${r + 1}/${ROUNDS}`, r + 1, ROUNDS);
}
rows.push(['one object, 2,000 uses in waves of 100 (serialized: each run sees the last)', `${Math.round(median(one)).toLocaleString('en')} runs/s`]);
rows.push(['200 objects in 20 rooms, 10 uses each at once (parallel across the pool)', `${Math.round(median(many)).toLocaleString('en')} runs/s`]);
rows.push([`the pool alone, same handler, ${pool.size} workers (no world)`, `${Math.round(median(direct)).toLocaleString('en')} runs/s`]);
await pool.close();

console.log(`\nobject runs (medians of ${ROUNDS} rounds; every counter checked exact)`);
for (const [what, value] of rows) console.log(`  ${what.padEnd(72)} ${value}`);
