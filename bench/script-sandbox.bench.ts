// Script sandbox benchmark: runs/s for a small handler with every limit on, and what a runaway
// (`while (true) {}`) costs against its 50 ms CPU limit. Medians over several rounds.
// Run: node --import tsx bench/script-sandbox.bench.ts
import { availableParallelism } from 'node:os';
import { SandboxPool } from '../services/script-executor/src/core/pool.ts';
import { Sandbox } from '../services/script-executor/src/core/sandbox.ts';
import type { SandboxInput } from '../services/script-executor/src/core/view.ts';
import { ScriptView } from '../libs/proto/src/index.ts';

const ROUNDS = 7;
const HANDLER = "emitRoom(self.name + ' says hi')";
const view = ScriptView.create({
  self: { id: 7, name: 'Polly', kind: 'thing', attributesJson: '{"visits":3}' },
  actor: { id: 2, name: 'Ann', kind: 'player', attributesJson: '{}', contents: [{ id: 9, name: 'Lamp', kind: 'thing' }] },
  room: { id: 1, name: 'Hall', kind: 'room', attributesJson: '{}' },
  text: 'hello',
  players: [{ id: 2, name: 'Ann', kind: 'player', attributesJson: '{}' }],
});
const run = (source: string): SandboxInput => ({ source, eventName: 'on_say', view });

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const rows: Array<[string, string]> = [];
const row = (what: string, value: string): void => {
  rows.push([what, value]);
};

// --- one core: the Sandbox in-process (what each pool worker does) ---
const sb = await Sandbox.create();
for (let i = 0; i < 20_000; i++) sb.run(run(HANDLER)); // warm-up: JIT, compile cache
for (let i = 0; i < 5_000; i++) sb.run(run('emit(event.actor.name)'));
const perCore = (source: string): number => {
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const n = 50_000;
    const t = performance.now();
    for (let i = 0; i < n; i++) sb.run(run(source));
    rates.push(n / ((performance.now() - t) / 1000));
  }
  return median(rates);
};
row('small handler, 1 core (in-process)', `${Math.round(perCore(HANDLER)).toLocaleString('en')} runs/s`);
const READER = "if (event.text) emitRoom(self.name + ' repeats ' + event.actor.name + ': ' + event.text); setAttr(self, 'heard', (getAttr(self, 'heard') ?? 0) + 1);";
row('handler reading event + get/setAttr, 1 core', `${Math.round(perCore(READER)).toLocaleString('en')} runs/s`);

const first: number[] = [];
for (let r = 0; r < ROUNDS; r++) first.push(sb.run(run(`${HANDLER}; // v${r}`)).cpuMs);
row('first run of a new source (compile)', `${median(first).toFixed(2)} ms`);

const total: number[] = [];
const rebuild: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const t = performance.now();
  const res = sb.run(run('while (true) {}'));
  total.push(performance.now() - t);
  if (res.errorKind !== 'timeout') throw new Error(`expected a timeout, got ${res.errorKind}`);
  const t2 = performance.now();
  sb.maintain(); // the worker does this after answering
  rebuild.push(performance.now() - t2);
}
row('runaway: total time to answer (limit 50 ms)', `${median(total).toFixed(1)} ms (+${(median(total) - 50).toFixed(1)} ms past)`);
row('runaway: runtime rebuild after answering', `${median(rebuild).toFixed(1)} ms`);

// What adversarial.test.ts checks as behaviour (refused, stopped by the ceiling), measured here as time.
const timeTo = (source: string, limits: SandboxInput['limits'], kind: string): number => {
  const times: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const res = sb.run({ ...run(source), limits });
    if (res.errorKind !== kind) throw new Error(`${source}: expected ${kind}, got ${res.errorKind}`);
    times.push(res.cpuMs);
    sb.maintain();
  }
  return median(times);
};
const NATIVE = 'Array.prototype.forEach.call({ length: 2 ** 53 - 1 }, () => {});';
row('native loop that never polls the interrupt: refused in', `${timeTo(NATIVE, undefined, 'runtime').toFixed(2)} ms`);
for (const mib of [4, 16]) {
  const ms = timeTo('const a = []; for (let i = 0; ; i++) a.push(i * 1.5);', { cpuMs: 10_000, memoryBytes: mib * 1024 * 1024 }, 'memory');
  row(`array growing without end: stopped by a ${mib} MiB ceiling in`, `${ms.toFixed(0)} ms`);
}
sb.dispose();

// --- the pool: all cores, through worker_threads ---
const size = availableParallelism();
const pool = new SandboxPool({ size });
await pool.ready();
const poolRates: number[] = [];
const batch = async (n: number): Promise<void> => {
  const inFlight = size * 64; // keep every worker fed; more only grows the queue
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < n) await pool.run(run(HANDLER));
    }),
  );
};
await batch(20_000);
for (let r = 0; r < ROUNDS; r++) {
  const n = 40_000;
  const t = performance.now();
  await batch(n);
  poolRates.push(n / ((performance.now() - t) / 1000));
}
row(`small handler, pool of ${size} workers`, `${Math.round(median(poolRates)).toLocaleString('en')} runs/s (${Math.round(median(poolRates) / size).toLocaleString('en')} per worker)`);

const poolRunaway: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const t = performance.now();
  await pool.run(run('while (true) {}'));
  poolRunaway.push(performance.now() - t);
}
row('runaway through the pool (limit 50 ms)', `${median(poolRunaway).toFixed(1)} ms`);

const behind: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const runaway = pool.run({ ...run('while (true) {}'), limits: { cpuMs: 1500 } });
  await new Promise((resolve) => setTimeout(resolve, 20));
  const t = performance.now();
  await Promise.all(Array.from({ length: 20 }, (_, i) => pool.run(run(`emit(${i})`))));
  behind.push(performance.now() - t);
  await runaway;
}
row('20 small runs while a runaway holds one worker', `${median(behind).toFixed(1)} ms`);
await pool.close();

const w = Math.max(...rows.map(([a]) => a.length));
console.log(`script sandbox (medians of ${ROUNDS} rounds, node ${process.version}, ${size} cores)\n`);
console.log(`| ${'measure'.padEnd(w)} | result`);
console.log(`| ${'-'.repeat(w)} | ------`);
for (const [a, b] of rows) console.log(`| ${a.padEnd(w)} | ${b}`);
