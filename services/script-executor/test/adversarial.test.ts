// Hostile scripts: none may escape, hang or kill the host, each gets a clear error kind, and the
// NEXT run on the same sandbox works and sees nothing the hostile one left behind.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Sandbox } from '../src/core/sandbox.ts';
import type { ErrorKind, SandboxInput } from '../src/core/view.ts';
import { input } from './fixtures.ts';

let sb: Sandbox;
before(async () => {
  sb = await Sandbox.create();
});
after(() => sb.dispose());

/** Runs a hostile script, checks its error kind, then checks that a normal run still works. */
async function hostile(source: string, kind: ErrorKind | ErrorKind[], extra: Partial<SandboxInput> = {}) {
  const r = sb.run(input(source, extra));
  const kinds: Array<ErrorKind | undefined> = Array.isArray(kind) ? kind : [kind];
  assert.ok(kinds.includes(r.errorKind), `${source}\n-> ${r.errorKind}: ${r.error}`);
  await sb.ready(); // only matters after a host-stack overflow, which swaps in a spare instance
  const next = sb.run(input('emitRoom(self.name + " is fine")'));
  assert.deepEqual(next.effects, [{ emitRoom: { text: 'Polly is fine' } }], `after: ${source}`);
  assert.equal(next.error, undefined);
  return r;
}

describe('CPU', () => {
  // How close to its deadline a runaway is stopped is measured in bench/script-sandbox.bench.ts.
  test('an infinite loop is stopped with a timeout that names its limit', async () => {
    const r = await hostile('while (true) {}', 'timeout', { limits: { cpuMs: 30 } });
    assert.ok(r.cpuMs >= 30, `not before its limit: ${r.cpuMs} ms`);
    assert.match(r.error ?? '', /30 ms/);
    await hostile('for (;;) { try { while (true) {} } catch (e) {} }', 'timeout', { limits: { cpuMs: 20 } });
    await hostile('/(a+)+$/.test("a".repeat(40) + "b")', 'timeout', { limits: { cpuMs: 20 } });
    // A runaway in a promise job is a timeout too, not an "ok" run.
    await hostile('Promise.resolve().then(() => { while (true) {} });', 'timeout', { limits: { cpuMs: 20 } });
  });

  test('native loops that never poll the interrupt handler are refused before they start', async () => {
    // Unguarded, each of these pins the thread for minutes to hours past any CPU deadline.
    for (const source of [
      'const a = []; a.length = 2 ** 32 - 1; a.indexOf(1);',
      'Array.prototype.forEach.call({ length: 2 ** 53 - 1 }, () => {});',
      'const h = "a".repeat(1e6); h.indexOf("a".repeat(5e5) + "b");',
    ]) {
      const r = await hostile(source, 'runtime');
      // Refused, not run: run, each would hold the thread for minutes (bench/ measures how fast the refusal is).
      assert.match(r.error ?? '', /^RangeError: .*(sandbox limit|too long for the sandbox)/);
    }
    const ok = sb.run(input('emit([3, 1, 2].sort().map((x) => x * 2).join() + "a-b".replace("-", "+"))'));
    assert.deepEqual(ok.effects, [{ emit: { text: '2,4,6a+b' } }]);
  });
});

// Issue 11, attack 7: runaways that held a worker for seconds past a 50 ms limit.
describe('runaways past the limit', () => {
  test('a stack overflow is not catchable: catch and finally never see it', async () => {
    // Under the longest CPU limit, so 'stack' says the overflow ended the run, not the deadline.
    const long = { limits: { cpuMs: 10_000 } };
    for (const source of [
      'function f(n) { try { return f(n + 1) } catch (e) { return f(n + 1) } } f(0);',
      '(function f() { try { f(); } catch { f(); } })();',
      '(function f() { try { f(); } finally { f(); } })();',
      '(function f() { try { f(); } catch ({ message }) { f(); } finally { f(); } })();',
      'const o = { get x() { try { return this.x; } catch { return this.x; } } }; o.x;',
      '(function f() { try { f(); } catch (e) { emit("caught " + e.message); } })();',
    ]) {
      const r = await hostile(source, 'stack', long);
      assert.deepEqual(r.effects, [], `${source}: no catch block ran`);
    }
  });

  test('catch and finally still work for every other error, and point at the script', async () => {
    const r = sb.run(input('try { null.x } catch ({ message }) { emit(message) } finally { emit("done") }\ntry { throw 1 } finally { emit("f") }'));
    assert.deepEqual(r.effects.map((e) => e.emit?.text), ["cannot read property 'x' of null", 'done', 'f']);
    assert.equal(r.error, 'Error: uncaught 1');
    const located = sb.run(input('try { emit(1) } catch (e) {} try { null.x } catch (e) { throw e }'));
    assert.deepEqual([located.line, located.column], [1, 40], 'the column of the dot of null.x in what the owner wrote');
  });

  test('recursion through what swallows errors (async functions, promise executors, iterator closing) stops at the deadline', async () => {
    // Each of these once ran for seconds to minutes: QuickJS polled its deadline only every 10,000
    // calls, and these constructs turned the 'interrupted' error into a rejection.
    for (const source of [
      'async function f() { f(); f(); } f();',
      'function f() { new Promise(f); new Promise(f); } f();',
      'function f() { new Promise(() => { while (true) {} }); f(); } f();',
      'function f() { for (const x of { [Symbol.iterator]: () => ({ next: () => ({ done: false }), return: () => { f(); return {}; } }) }) f(); } f();',
      'function f() { const [a] = { [Symbol.iterator]: () => ({ next: () => { f(); return { done: false }; }, return: () => { f(); return {}; } }) }; } f();',
    ]) {
      await hostile(source, ['timeout', 'stack'], { limits: { cpuMs: 20 } });
    }
  });

  test('names the instrumenting uses are the sandbox\'s own', async () => {
    const r = await hostile('const __loom_caught = () => {}; try { f() } catch (e) {}', 'syntax');
    assert.match(r.error ?? '', /reserved/);
    assert.deepEqual([r.line, r.column], [1, 7]);
  });
});

describe('memory', () => {
  for (const source of [
    'const a = []; for (let i = 0; ; i++) a.push(i * 1.5);',
    'const a = []; for (;;) a.push(new Float64Array(10000));',
    'let s = "xy"; for (;;) s += s;',
    'new ArrayBuffer(1e9);',
    'const o = []; for (let i = 0; ; i++) o.push({ i, s: "k" + i });',
    'const m = new Map(); for (let i = 0; ; i++) m.set(i, [i]);',
    // Many allocations each under the limit: QuickJS alone wouldn't count these (see sandbox.ts).
    'const d = []; for (let i = 0; ; i++) d.push("x".repeat(80000) + i);',
    'const k = []; for (;;) k.push(new Uint8Array(1 << 20));',
  ]) {
    test(source, async () => {
      // A small ceiling (4 MiB: a fifth of a second here) under the longest CPU limit (10 s): 'memory',
      // not 'timeout', says the ceiling stopped it, on a machine however slow.
      await hostile(source, 'memory', { limits: { cpuMs: 10_000, memoryBytes: 4 * 1024 * 1024 } });
    });
  }
});

describe('stack', () => {
  test('unbounded recursion', async () => {
    await hostile('(function f() { f(); })();', 'stack');
    await hostile('const o = { get x() { return this.x; } }; o.x;', 'stack');
  });
  test('recursion in native code (join, JSON, the parser) never takes the host down', async () => {
    // On the 1 MiB main-thread stack these can overflow V8's stack before QuickJS notices: the
    // sandbox then reports 'stack' and swaps in its spare WebAssembly instance.
    for (const source of [
      'let a = []; for (let i = 0; i < 100000; i++) a = [a]; String(a);',
      'let o = {}; for (let i = 0; i < 100000; i++) o = { o }; setAttr(self, "deep", o);',
      '('.repeat(20000) + '1' + ')'.repeat(20000),
      'JSON.parse("[".repeat(100000) + "]".repeat(100000));',
    ]) {
      await hostile(source, 'stack', { limits: { cpuMs: 2000 } });
    }
  });
});

describe('effects and output', () => {
  test('an effect flood stops at the limit, even if the script catches the error', async () => {
    const r = await hostile('for (;;) emit("spam");', 'effects');
    assert.equal(r.effects.length, 50);
    const caught = await hostile('for (let i = 0; i < 100; i++) { try { emit("x"); } catch {} }', 'effects');
    assert.equal(caught.effects.length, 50);
  });
  test('huge output stops at the byte limit (UTF-8)', async () => {
    // The longest CPU limit: 'output', not 'timeout', on a machine however busy.
    const r = await hostile('emit("ok"); emit("x".repeat(100000));', 'output', { limits: { cpuMs: 10_000 } });
    assert.deepEqual(r.effects, [{ emit: { text: 'ok' } }]);
    await hostile('for (let i = 0; i < 3; i++) emit("é".repeat(1500));', 'output');
    await hostile('setAttr(self, "blob", "z".repeat(9000));', 'output');
  });
});

describe('promise jobs', () => {
  test('a recursive then-chain is cut off and leaves nothing behind', async () => {
    const r = await hostile('function f() { emit("tick"); Promise.resolve().then(f); } f();', 'effects');
    assert.equal(r.effects.length, 50);
    const chain = await hostile('function f() { Promise.resolve().then(f); } f();', 'timeout');
    assert.match(chain.error ?? '', /promise jobs/);
  });
  test('a synchronous flood of jobs', async () => {
    // Which comes first depends on where an allocation fails and how fast the machine is: QuickJS
    // turns some failures inside the promise machinery into rejections, and the loop then spins
    // until the deadline; on a loaded machine the memory ceiling can come first even at 30 ms.
    await hostile('for (;;) Promise.resolve().then(() => 1);', ['timeout', 'memory'], { limits: { cpuMs: 30 } });
    await hostile('for (;;) Promise.resolve().then(() => 1);', ['memory', 'timeout'], { limits: { cpuMs: 1000 } });
  });
});

describe('no way out to the host', () => {
  test('no require, process, import, timers or GC callbacks', async () => {
    const r = sb.run(input(`emit([typeof require, typeof process, typeof module, typeof setTimeout, typeof WeakRef,
      typeof FinalizationRegistry, typeof fetch, typeof globalThis.process].join())`));
    assert.deepEqual(r.effects[0]?.emit?.text, 'undefined,undefined,undefined,undefined,undefined,undefined,undefined,undefined');
    await hostile('import fs from "fs";', 'syntax');
    const dyn = sb.run(input('return import("fs").then(() => emit("loaded"))'));
    assert.match(dyn.error ?? '', /could not load module/);
    assert.deepEqual(dyn.effects, []);
  });

  test('no code from strings: eval and every Function constructor are gone', async () => {
    // Code made at run time would not pass through the host's instrumenting (instrument.ts).
    await hostile('eval("1 + 1")', 'runtime');
    for (const maker of ['Function', 'globalThis.constructor.constructor', '(() => {}).constructor', '(async () => {}).constructor',
      '(function* () {}).constructor', '(async function* () {}).constructor']) {
      const r = await hostile(`${maker}("return 1")`, 'runtime');
      assert.match(r.error ?? '', /EvalError: scripts cannot make code from strings/, maker);
    }
    assert.deepEqual(sb.run(input('emit(String((() => 1) instanceof Function))')).effects[0]?.emit?.text, 'true');
  });

  test('prototype pollution stays inside (and is refused there too)', async () => {
    await hostile('Object.prototype.polluted = 1;', 'runtime');
    await hostile('Array.prototype.push = () => 0;', 'runtime');
    await hostile('Object.defineProperty(Object.prototype, "x", { get() { return 1; } });', 'runtime');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const r = sb.run(input(`
      setAttr(self, 'a', JSON.parse('{"__proto__": {"polluted": 1}, "ok": 1}'));
      setAttr(self, 'b', { __proto__: { polluted: 1 }, ok: 2 });
      setAttr(self, 'c', [{ ['__proto__']: 5 }]);`));
    assert.equal(r.error, undefined);
    const values = r.effects.map((e) => JSON.parse(e.setAttr?.valueJson ?? '') as object);
    assert.deepEqual(JSON.parse(JSON.stringify(values)), [{ ok: 1 }, { ok: 2 }, [{}]]);
    for (const v of values) assert.ok(!Object.hasOwn(Array.isArray(v) ? v[0] : v, '__proto__'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(values[0]), Object.prototype);
  });

  test('Date and Math tampering affects neither the host nor later runs', async () => {
    await hostile('Date.now = () => 0;', 'runtime');
    await hostile('Math.random = () => 0.5;', 'runtime');
    await hostile('Math.floor = (x) => 7;', 'runtime');
    await hostile('globalThis.Date = function () {};', 'runtime');
    assert.ok(Date.now() > 1_600_000_000_000);
    assert.equal(Math.floor(1.5), 1);
    const r = sb.run(input('emit(Date.now()); emit(Math.floor(2.5)); emit(typeof Math.random())', { now: 123 }));
    assert.deepEqual(r.effects.map((e) => e.emit?.text), ['123', '2', 'number']);
  });

  test('nothing a run leaves behind reaches the next one', async () => {
    await hostile('globalThis.leak = 1;', 'runtime');
    await hostile('leak2 = 1;', 'runtime');
    await hostile('String.prototype.toUpperCase = () => "pwned";', 'runtime');
    // A body that closes the wrapper early only reaches its own module scope.
    assert.equal(sb.run(input('emit("a") }\nexport let shared = 1;\nfunction tail() {')).error, undefined);
    const r = sb.run(input('emit([typeof leak, typeof leak2, "x".toUpperCase(), typeof shared].join())'));
    assert.deepEqual(r.effects[0]?.emit?.text, 'undefined,undefined,X,undefined');
    // Jobs left by a timed-out run must not fire in the next run.
    sb.run(input('Promise.resolve().then(() => emit("ghost")); while (true) {}', { limits: { cpuMs: 10 } }));
    assert.deepEqual(sb.run(input('emit("clean")')).effects, [{ emit: { text: 'clean' } }]);
  });

  test('ordinary objects can still override toString and name errors', () => {
    const r = sb.run(input('const o = {}; o.toString = () => "custom"; emit(String(o)); const e = new Error("m"); e.name = "Mine"; throw e;'));
    assert.deepEqual(r.effects[0]?.emit?.text, 'custom');
    assert.equal(r.error, 'Mine: m');
  });
});
