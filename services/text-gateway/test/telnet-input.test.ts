import assert from 'node:assert/strict';
import { once } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { Cmd } from '../src/telnet/codes.ts';
import { telnetPair, type TelnetPair } from '../src/telnet/testing.ts';

const { IAC, SE, NOP } = Cmd;
const bytes = (value: string) => [...Buffer.from(value, 'latin1')];

let pair: TelnetPair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

/** Connects and records every line the server side reads. */
async function connect(options?: Parameters<typeof telnetPair>[0]): Promise<TelnetPair & { lines: string[] }> {
  pair = await telnetPair(options);
  const lines: string[] = [];
  pair.connection.on('line', (line) => lines.push(line));
  return { ...pair, lines };
}

/** A seeded generator (mulberry32), so a failing junk test fails the same way every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('typed lines', () => {
  it('a line may end in CR LF, LF, CR NUL or a lone CR, and an empty line is still a line', async () => {
    const { client, lines } = await connect();
    await client.send('look\r\nnorth\nsouth\r\0east\rwest\n\r\n');
    await client.barrier();
    assert.deepEqual(lines, ['look', 'north', 'south', 'east', 'west', '']);
  });

  it('CR and LF arriving in separate packets end one line, not two', async () => {
    const { client, lines } = await connect();
    await client.send('up\r');
    await client.barrier();
    await client.send('\ndown\n');
    await client.barrier();
    assert.deepEqual(lines, ['up', 'down']);
  });

  it('backspace and DEL erase the character before them, a multi-byte one whole', async () => {
    const { client, lines } = await connect();
    await client.send('helz\blo\n');
    await client.send('naïx\x7f\x7fïve\n');
    await client.send('\b\bok\n');
    await client.barrier();
    assert.deepEqual(lines, ['hello', 'naïve', 'ok']);
  });

  it('telnet EC and EL erase a character and the whole line', async () => {
    const { client, lines } = await connect();
    await client.send([...bytes('lookx'), IAC, Cmd.EC, ...bytes(' me'), IAC, Cmd.EL, ...bytes('north\n')]);
    await client.barrier();
    assert.deepEqual(lines, ['north']);
  });

  it('arrow keys, other escape sequences and control characters never reach a line', async () => {
    const { client, lines } = await connect();
    await client.send('no\x1b[Art\x1bOBh\x1b[1;5C\x07\0\x1b7\n');
    await client.send('say\thi\x9b\n');
    await client.barrier();
    assert.deepEqual(lines, ['north', 'say hi']);
  });

  it('UTF-8 is decoded and invalid bytes become U+FFFD', async () => {
    const { client, lines } = await connect();
    await client.send('say héllo ✓\n');
    await client.send(Buffer.from([...bytes('caf'), 0xe9, 0xc3, ...bytes('!\n')]));
    await client.barrier();
    assert.deepEqual(lines, ['say héllo ✓', 'caf\ufffd\ufffd!']);
  });

  it('an IAC at the end of one packet is completed by the next', async () => {
    const { client, lines } = await connect();
    // Pauses instead of barriers: a barrier is itself an IAC sequence.
    await client.send([...bytes('ab'), IAC]);
    await delay(20);
    await client.send([NOP, ...bytes('c\n'), IAC]);
    await delay(20);
    await client.send([IAC, ...bytes('d\n'), IAC]);
    await delay(20);
    await client.send([Cmd.AYT]);
    await client.waitFor('[Yes]');
    assert.deepEqual(lines, ['abc', '\ufffdd']);
  });

  it('random binary junk neither crashes nor wedges the connection', async () => {
    const { client, connection, lines } = await connect({ mssp: () => ({ NAME: 'Loom' }) });
    let closed = false;
    connection.on('close', () => {
      closed = true;
    });
    const next = random(1143);
    for (let round = 0; round < 20; round += 1) {
      await client.send(Buffer.from(Array.from({ length: 5000 }, () => Math.floor(next() * 256))));
    }
    // Whatever state the junk left the parser in (inside IAC, a negotiation, SB, an escape, a
    // CR), these bytes bring it back to a plain line start.
    const looked = new Promise<void>((resolve) => connection.on('line', (line) => line === 'look' && resolve()));
    await client.send([0, IAC, SE, ...bytes('\nlook\n')]);
    await looked;
    assert.equal(closed, false);
    assert.equal(lines.at(-1), 'look');
  });

  it('a 10 MB line is dropped as it streams in, reported once, and the next line works', async () => {
    const { client, connection, serverSocket, lines } = await connect();
    let tooLong = 0;
    let readWhenReported = 0;
    connection.on('lineTooLong', () => {
      tooLong += 1;
      readWhenReported = serverSocket.bytesRead;
    });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    for (let sent = 0; sent < 10 * 1024 * 1024; sent += chunk.length) await client.send(chunk);
    const looked = once(connection, 'line');
    await client.send('\nlook\n');
    assert.deepEqual(await looked, ['look']);
    assert.equal(tooLong, 1);
    assert.deepEqual(lines, ['look']);
    // Noticed within the first read or so, not after buffering the whole line.
    assert.ok(readWhenReported < 1024 * 1024, `reported after ${readWhenReported} bytes`);
  });

  it('a line of exactly the maximum length is accepted, one byte more is not', async () => {
    const { client, connection, lines } = await connect({ maxLineBytes: 16 });
    let tooLong = 0;
    connection.on('lineTooLong', () => {
      tooLong += 1;
    });
    await client.send(`${'x'.repeat(16)}\n${'y'.repeat(17)}\nok\n`);
    await client.barrier();
    assert.deepEqual(lines, ['x'.repeat(16), 'ok']);
    assert.equal(tooLong, 1);
  });
});
