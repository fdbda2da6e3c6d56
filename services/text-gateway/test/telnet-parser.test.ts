import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cmd, type Verb } from '../src/telnet/codes.ts';
import { Negotiator, type Side } from '../src/telnet/negotiation.ts';
import { TelnetParser } from '../src/telnet/parser.ts';

const { IAC, WILL, WONT, DO, DONT, SB, SE, NOP, AYT } = Cmd;

/** Parses `chunks` and returns what the parser reported, data runs merged. */
function parse(chunks: Buffer[], maxSubnegotiation = 64 * 1024): unknown[] {
  const events: unknown[] = [];
  const parser = new TelnetParser(
    {
      data: (bytes) => {
        const last = events.at(-1);
        if (Array.isArray(last) && last[0] === 'data') last[1] += bytes.toString('latin1');
        else events.push(['data', bytes.toString('latin1')]);
      },
      command: (code) => events.push(['command', code]),
      negotiate: (verb, option) => events.push(['negotiate', verb, option]),
      subnegotiation: (option, payload) => events.push(['sb', option, [...payload]]),
    },
    maxSubnegotiation,
  );
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

const stream = Buffer.from([
  ...Buffer.from('hi'),
  IAC, IAC,
  IAC, WILL, 31,
  IAC, SB, 31, 0, IAC, IAC, 0, 24, IAC, SE,
  IAC, NOP,
  ...Buffer.from('yo'),
  IAC, SE,
  IAC, AYT,
]);
const expected = [
  ['data', 'hi\xff'],
  ['negotiate', WILL, 31],
  ['sb', 31, [0, 255, 0, 24]],
  ['command', NOP],
  ['data', 'yo'],
  ['command', AYT],
];

describe('the IAC parser', () => {
  it('reads a stream the same whichever byte a TCP chunk ends on', () => {
    assert.deepEqual(parse([stream]), expected);
    for (let cut = 1; cut < stream.length; cut += 1) {
      assert.deepEqual(parse([stream.subarray(0, cut), stream.subarray(cut)]), expected, `cut at ${cut}`);
    }
    assert.deepEqual(parse([...stream].map((byte) => Buffer.of(byte))), expected);
  });

  it('drops a subnegotiation over the size cap and reads on after it', () => {
    const big = Buffer.from([IAC, SB, 201, ...Buffer.alloc(100, 0x41), IAC, SE, 0x42]);
    assert.deepEqual(parse([big], 64), [['data', 'B']]);
  });

  it('treats an IAC command inside SB as a lost SE: the subnegotiation is dropped, the command kept', () => {
    const broken = Buffer.from([IAC, SB, 24, 0, 0x41, IAC, WILL, 1, 0x43]);
    assert.deepEqual(parse([broken]), [['negotiate', WILL, 1], ['data', 'C']]);
  });
});

/** Two negotiators wired back to back, as a server and a client would be. */
function wire(accept: (side: Side, option: number) => boolean) {
  const log: string[] = [];
  const names: Record<number, string> = { [WILL]: 'WILL', [WONT]: 'WONT', [DO]: 'DO', [DONT]: 'DONT' };
  const queue: { to: 'a' | 'b'; verb: Verb; option: number }[] = [];
  const make = (name: 'a' | 'b', other: 'a' | 'b') =>
    new Negotiator({
      send: (verb, option) => {
        log.push(`${name} ${names[verb]} ${option}`);
        queue.push({ to: other, verb, option });
      },
      accept,
      changed: () => {},
    });
  const peers = { a: make('a', 'b'), b: make('b', 'a') };
  const run = () => {
    for (let steps = 0; queue.length > 0; steps += 1) {
      assert.ok(steps < 100, `negotiation loop: ${log.join(', ')}`);
      const message = queue.shift()!;
      peers[message.to].receive(message.verb, message.option);
    }
  };
  return { ...peers, log, run };
}

describe('Q-method negotiation', () => {
  it('two agreeable peers settle in one round trip instead of acknowledging forever', () => {
    const { a, b, log, run } = wire(() => true);
    a.request('local', 1, true);
    b.request('remote', 1, true);
    run();
    assert.deepEqual(log, ['a WILL 1', 'b DO 1']);
    assert.equal(a.enabled('local', 1), true);
    assert.equal(b.enabled('remote', 1), true);
  });

  it('a refusal is answered by nothing', () => {
    const { a, log, run } = wire((side) => side === 'local');
    a.request('local', 3, true);
    run();
    assert.deepEqual(log, ['a WILL 3', 'b DONT 3']);
    assert.equal(a.enabled('local', 3), false);
  });

  it("changing one's mind while a request is in flight is queued, then sent", () => {
    const { a, log, run } = wire(() => true);
    a.request('local', 1, true);
    a.request('local', 1, false);
    a.request('local', 1, false);
    run();
    assert.deepEqual(log, ['a WILL 1', 'b DO 1', 'a WONT 1', 'b DONT 1']);
    assert.equal(a.enabled('local', 1), false);
  });
});
