// Physics benchmark: what one tick costs the physics thread, and where it goes, for 1, 10 and 50 rooms
// of 20 walking players, and for 1,000 players crowded in one room among 1,000 static boxes. Steps go
// through the service's worker thread (as world-state's would), waiting for each tick's own result so
// every tick is measured; the main thread's share is what a Step call costs the caller's event loop.
// Run: node --import tsx bench/physics.bench.ts
import type { RegionSpec, StepRequest, StepResult } from '../libs/proto/src/index.ts';
import { PhysicsThread } from '../services/physics-service/src/core/physics-thread.ts';

const WARMUP = 20;
const TICKS = 200;

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p95: at(0.95) };
};
const fmt = ({ median, p95 }: { median: number; p95: number }) => `${median.toFixed(2)} / ${p95.toFixed(2)}`;

interface Scenario {
  name: string;
  regions: RegionSpec[];
  /** Characters by region: [regionId, entity ids]. */
  people: Array<[number, number[]]>;
  spawn(regionId: number, i: number): { x: number; y: number; z: number };
}

const room = (regionId: number, extra: Partial<RegionSpec> = {}): RegionSpec => ({
  regionId,
  size: undefined,
  doorways: [{ wall: 'north', offset: 0, width: 2, height: 3 }],
  boxes: [{ position: { x: 4, y: 0.5, z: 4 }, halfExtents: { x: 1, y: 0.5, z: 1 } }],
  triggers: [{ triggerId: regionId * 1000, position: { x: -4, y: 1, z: -4 }, halfExtents: { x: 1, y: 1, z: 1 } }],
  ...extra,
});

function rooms(count: number): Scenario {
  const ids = Array.from({ length: count }, (_, r) => r + 1);
  return {
    name: `${count} room${count > 1 ? 's' : ''} x 20 players`,
    regions: ids.map((id) => room(id)),
    people: ids.map((id) => [id, Array.from({ length: 20 }, (_, i) => id * 100 + i)]),
    spawn: (_, i) => ({ x: (i % 5) * 3 - 6, y: 0, z: Math.floor(i / 5) * 3 - 6 }),
  };
}

const crowd: Scenario = {
  name: '1 room x 1,000 players, 1,000 boxes',
  regions: [room(1, {
    size: { x: 80, y: 4, z: 52 },
    boxes: Array.from({ length: 1000 }, (_, i) => ({ position: { x: (i % 40) * 2 - 39, y: 0.5, z: Math.floor(i / 40) * 2 - 24.5 }, halfExtents: { x: 0.3, y: 0.5, z: 0.3 } })),
  })],
  people: [[1, Array.from({ length: 1000 }, (_, i) => 10_000 + i)]],
  spawn: (_, i) => ({ x: (i % 40) * 2 - 38, y: 0, z: Math.floor(i / 40) * 2 - 24 }),
};

async function measure(s: Scenario) {
  const thread = await PhysicsThread.start();
  for (const spec of s.regions) await thread.call('setRegion', spec);
  for (const [regionId, ids] of s.people) {
    for (const [i, entityId] of ids.entries()) await thread.call('addCharacter', { regionId, entityId, position: s.spawn(regionId, i) });
  }
  const worker: number[] = [];
  const world: number[] = [];
  const moves: number[] = [];
  const roundTrip: number[] = [];
  const send: number[] = [];
  for (let tick = 1; tick <= WARMUP + TICKS; tick++) {
    // Every player changes direction every tick (worst case: no input is repeated), some jump.
    const request: StepRequest = {
      tick,
      dt: 0.05,
      wait: true,
      regions: s.people.map(([regionId, ids]) => ({
        regionId,
        inputs: ids.map((entityId, i) => ({ entityId, desiredVelocity: { x: Math.sin(tick * 0.1 + i) * 4, y: 0, z: Math.cos(tick * 0.13 + i) * 4 }, jump: (tick + i) % 40 === 0 })),
      })),
    };
    const t0 = performance.now();
    const pending = thread.step(request);
    const t1 = performance.now();
    const result: StepResult = await pending;
    const t2 = performance.now();
    if (tick <= WARMUP) continue;
    send.push(t1 - t0);
    roundTrip.push(t2 - t0);
    worker.push(result.stepMs);
    world.push(result.regions.reduce((sum, r) => sum + r.stepMs, 0));
    moves.push(result.regions.reduce((sum, r) => sum + r.moveMs, 0));
  }
  await thread.close();
  return { name: s.name, players: s.people.reduce((n, [, ids]) => n + ids.length, 0), worker: stats(worker), world: stats(world), moves: stats(moves), roundTrip: stats(roundTrip), send: stats(send) };
}

const rows = [];
for (const s of [rooms(1), rooms(10), rooms(50), crowd]) rows.push(await measure(s));

// Ground covered per wall-clock second by a character walking at 4 m/s, stepped as world-state does (a
// 20 Hz interval, each step covering the time since the one before): idle, beside the 1,000-player
// crowd, and with the caller's event loop stalled for 200 ms every half second (a busy world-state).
async function walkingSpeed(name: string, options: { crowd?: boolean; stallMs?: number }) {
  const thread = await PhysicsThread.start();
  await thread.call('setRegion', room(9, { size: { x: 200, y: 4, z: 200 }, doorways: [], boxes: [], triggers: [] }));
  await thread.call('addCharacter', { regionId: 9, entityId: 1, position: { x: 0, y: 0, z: 90 } });
  if (options.crowd) {
    await thread.call('setRegion', crowd.regions[0]!);
    for (const [i, entityId] of crowd.people[0]![1].entries()) await thread.call('addCharacter', { regionId: 1, entityId, position: crowd.spawn(1, i) });
  }
  const seconds = 4;
  let z: number | undefined;
  let startZ: number | undefined;
  let startedAt = 0;
  let steppedAt: number | undefined;
  let tick = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const dt = steppedAt === undefined ? 0 : (now - steppedAt) / 1000;
      steppedAt = now;
      const regions = [{ regionId: 9, inputs: tick === 0 ? [{ entityId: 1, desiredVelocity: { x: 0, y: 0, z: -4 }, jump: false }] : [] }];
      if (options.crowd) regions.push({ regionId: 1, inputs: [] });
      void thread.step({ tick: ++tick, dt, regions, wait: false }).then((r) => {
        const at = r.bodies.find((b) => b.entityId === 1)?.position?.z;
        if (at === undefined) return;
        z = at;
        if (startZ === undefined) [startZ, startedAt] = [at, performance.now()];
      });
      if (options.stallMs && tick % 10 === 0) for (const until = performance.now() + options.stallMs; performance.now() < until; );
      if (startZ !== undefined && performance.now() - startedAt > seconds * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, 50);
  });
  const elapsed = (performance.now() - startedAt) / 1000;
  await thread.close();
  return [name, `${((startZ! - z!) / elapsed).toFixed(2)} m/s`, String(tick)];
}
const speeds = [
  await walkingSpeed('idle', {}),
  await walkingSpeed('beside 1,000 players in another room', { crowd: true }),
  await walkingSpeed('event loop stalled 200 ms every 0.5 s', { stallMs: 200 }),
];

const head = ['scenario', 'players', 'Step on physics thread', 'world steps', 'character moves', 'round trip', 'main thread per call'];
const table = [head, head.map(() => '---'), ...rows.map((r) => [r.name, String(r.players), fmt(r.worker), fmt(r.world), fmt(r.moves), fmt(r.roundTrip), fmt(r.send)])];
console.log(`physics per tick, ms: median / p95 over ${TICKS} ticks (after ${WARMUP} warm-up), Rapier 3D on one worker thread, node ${process.version}\n`);
for (const line of table) console.log(`| ${line.join(' | ')} |`);
console.log(`\nwalking at 4 m/s for 4 s of wall-clock time, stepped at 20 Hz with the time since the last step\n`);
for (const line of [['load', 'ground covered per second', 'ticks'], ['---', '---', '---'], ...speeds]) console.log(`| ${line.join(' | ')} |`);
