// The sandbox's API and error reporting: what a well-behaved (or merely buggy) script gets.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiReference } from '../src/core/api.ts';
import { Sandbox } from '../src/core/sandbox.ts';
import { input } from './fixtures.ts';

let sb: Sandbox;
before(async () => {
  sb = await Sandbox.create();
});
after(() => sb.dispose());

const run = (source: string, extra = {}) => sb.run(input(source, extra));
const ok = (source: string) => {
  const r = run(source);
  assert.equal(r.error, undefined, `unexpected error: ${r.error}`);
  return r.effects;
};

describe('API effects', () => {
  test('the DESIGN.md example', () => {
    assert.deepEqual(ok('emitRoom(`${self.name} squawks: ${event.text}!`);'), [{ emitRoom: { text: 'Polly squawks: hello!' } }]);
  });

  test('every recording function records its effect, typed as in script.proto', () => {
    const effects = ok(`
      emit('to actor'); tell(event.actor, 'psst'); tell(3, 42); emitRoom('all');
      teleport(event.actor, 5); teleport(2, event.room);
      const duck = spawn('a duck', 'Yellow.'); move(duck, event.actor); spawn('a rock');
      setAttr(self, 'mood', { happy: true, n: [1, 2] }); setAttr(duck, 'squeaks', 3);
      schedule(30); schedule(1.5, 'on_wake'); log('x', 1, { a: 1 }); console.log('y');`);
    assert.deepEqual(effects, [
      { emit: { text: 'to actor' } },
      { tell: { target: { id: 2 }, text: 'psst' } },
      { tell: { target: { id: 3 }, text: '42' } },
      { emitRoom: { text: 'all' } },
      { teleport: { target: { id: 2 }, room: { id: 5 } } },
      { teleport: { target: { id: 2 }, room: { id: 1 } } },
      { spawn: { ref: 'spawn:1', name: 'a duck', description: 'Yellow.' } },
      { move: { thing: { spawn: 'spawn:1' }, destination: { id: 2 } } },
      { spawn: { ref: 'spawn:2', name: 'a rock', description: '' } },
      { setAttr: { target: { id: 7 }, name: 'mood', valueJson: '{"happy":true,"n":[1,2]}' } },
      { setAttr: { target: { spawn: 'spawn:1' }, name: 'squeaks', valueJson: '3' } },
      { schedule: { seconds: 30, event: 'on_timer' } },
      { schedule: { seconds: 1.5, event: 'on_wake' } },
      { log: { text: 'x 1 {"a":1}' } },
      { log: { text: 'y' } },
    ]);
  });

  test('getAttr reads the view and sees setAttr, on every copy of the object', () => {
    const effects = ok(`
      emit(getAttr(self, 'visits')); setAttr(self, 'visits', getAttr(self, 'visits') + 1); emit(getAttr(7, 'visits'));
      setAttr(event.actor, 'hp', 3); emit(getAttr(event.players[0], 'hp')); emit(String(getAttr(self, 'nope')));
      const d = spawn('duck'); setAttr(d, 'n', 1); emit(getAttr(d, 'n'));
      const bob = event.players[1]; setAttr(3, 'hp', 4); emit(bob.attributes.hp);
      setAttr(self, '2nd.try-x', 5); emit(getAttr(self, '2nd.try-x'));`);
    assert.deepEqual(
      effects.filter((e) => e.emit).map((e) => e.emit?.text),
      ['1', '2', '3', 'undefined', '1', '4', '5'],
    );
  });

  test('countPlayers, hasItem, random, Date and Math.random', () => {
    const effects = ok(`
      emit(countPlayers()); emit(hasItem(event.actor, 'brass lamp')); emit(hasItem(2, 9)); emit(hasItem(self, 'lamp'));
      const r = []; for (let i = 0; i < 200; i++) r.push(random(1, 3));
      emit(Math.min(...r) + '-' + Math.max(...r)); emit(Date.now()); emit(new Date().getTime()); emit(Math.random() < 1);`);
    assert.deepEqual(effects.map((e) => e.emit?.text), ['2', 'true', 'true', 'false', '1-3', '1700000000000', '1700000000000', 'true']);
    // The same seed gives the same numbers; another seed others.
    const roll = 'emit([random(1, 1000000), Math.random()].join())';
    assert.deepEqual(run(roll).effects, run(roll).effects);
    assert.notDeepEqual(run(roll).effects, run(roll, { seed: 7 }).effects);
  });

  test('bad arguments throw a clear TypeError at the calling line', () => {
    const cases: Array<[string, RegExp]> = [
      ['emit({})', /emit\(text\): text must be a string, got object/],
      ['tell("bob", "hi")', /tell\(target, text\): target must be an object/],
      ['move("spawn:1", 1)', /thing must be/],
      ['teleport(event.actor, -1)', /roomId must be/],
      ["setAttr(self, '__proto__', 1)", /name must be/],
      ["setAttr(self, 'a b', 1)", /name must be/],
      // The world's rule (what @set accepts), so no name passes here to be refused after the run.
      ["setAttr(self, 'a$b', 1)", /name must be 1-64 letters, digits, _ \. -/],
      ['schedule(-1)', /seconds must be/],
      ["schedule(5, 'rm -rf')", /eventName must look like/],
      ['random(3, 1)', /min <= max/],
      ["spawn('')", /name must be 1 to 100/],
      ['hasItem(self, null)', /nameOrId/],
    ];
    for (const [source, message] of cases) {
      const r = run(`emit('first');\n${source};`);
      assert.equal(r.errorKind, 'runtime', source);
      assert.match(r.error ?? '', /^TypeError: /, source);
      assert.match(r.error ?? '', message, source);
      assert.equal(r.line, 2, source);
      assert.deepEqual(r.effects, [{ emit: { text: 'first' } }], 'effects before the error are kept');
    }
  });

  test('apiReference documents every global the sandbox installs', () => {
    const names = apiReference.map((e) => e.name);
    const r = run(`emit(${JSON.stringify(names)}.filter((n) => typeof globalThis[n] !== 'function').join())`);
    assert.deepEqual(r.effects, [{ emit: { text: '' } }]);
    for (const e of apiReference) assert.ok(e.signature.startsWith(e.name + '(') && e.description && e.example, e.name);
  });
});

describe('errors', () => {
  test('a runtime error has the line and column of the body', () => {
    const r = run('const a = 1;\nconst b = 2;\n   null.boom;');
    assert.equal(r.errorKind, 'runtime');
    assert.match(r.error ?? '', /^TypeError: .*boom/);
    assert.deepEqual([r.line, r.column], [3, 8]);
  });

  test('an error in a function the script declared points at the throw', () => {
    const r = run('function f() {\n  throw new RangeError("nope");\n}\nf();');
    assert.equal(r.error, 'RangeError: nope');
    assert.equal(r.line, 2);
    assert.ok(r.column !== undefined && r.column >= 9, `column ${r.column}`); // QuickJS points at the call
  });

  test('a syntax error has the line and column of the body', () => {
    const r = run('emit("a");\nlet x = 1 +* 2;');
    assert.equal(r.errorKind, 'syntax');
    assert.match(r.error ?? '', /^SyntaxError: /);
    assert.deepEqual([r.line, r.column], [2, 12]);
    assert.deepEqual(r.effects, []);
  });

  test('an unclosed block is a syntax error located inside the body', () => {
    const r = run('if (true) {\n  emit(1);');
    assert.equal(r.errorKind, 'syntax');
    assert.ok(r.line !== undefined && r.line <= 2);
  });

  test('throwing a non-Error and rejecting a promise are reported', () => {
    assert.equal(run("throw 'oops'").error, "Error: uncaught oops");
    const r = run("emit('a'); Promise.reject(new Error('later'))");
    assert.equal(r.error, undefined, 'an unobserved rejection is not the script failing');
    const awaited = run("emit('a'); return Promise.resolve().then(() => { throw new Error('later') })");
    assert.equal(awaited.error, 'Error: later');
    assert.deepEqual(awaited.effects, [{ emit: { text: 'a' } }]);
  });
});
