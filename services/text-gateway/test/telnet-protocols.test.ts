import assert from 'node:assert/strict';
import { once } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import { Cmd, Opt } from '../src/telnet/codes.ts';
import type { GmcpMessage } from '../src/telnet/connection.ts';
import { pairPerTest } from '../src/telnet/testing.ts';

const { IAC, WILL, DO, DONT, SB, SE } = Cmd;
const text = (value: string) => [...Buffer.from(value, 'utf8')];
const gmcp = (payload: string) => [IAC, SB, Opt.GMCP, ...text(payload), IAC, SE];

const connect = pairPerTest(afterEach);

describe('GMCP', () => {
  it('is only sent once the client agreed to it', async () => {
    const { client, connection } = await connect();
    assert.equal(connection.sendGmcp('Room.Info', { num: 1 }), false);
    await client.send([IAC, DO, Opt.GMCP]);
    await client.barrier();
    assert.equal(connection.supportsGmcp, true);
    assert.equal(connection.sendGmcp('Room.Info', { num: 1, name: 'Plaza ✓' }), true);
    assert.equal(connection.sendGmcp('Core.Ping'), true);
    await client.waitFor(gmcp('Room.Info {"num":1,"name":"Plaza ✓"}'));
    await client.waitFor(gmcp('Core.Ping'));
    assert.equal(client.count([IAC, SB, Opt.GMCP]), 2);
  });

  it("reads the client's Core.Hello and Core.Supports.Set, and ignores malformed messages", async () => {
    const { client, connection } = await connect();
    const received: GmcpMessage[] = [];
    connection.on('gmcp', (message) => received.push(message));
    await client.send([IAC, DO, Opt.GMCP]);
    await client.send(gmcp('Core.Hello {"client":"Mudlet","version":"4.17"}'));
    await client.send(gmcp('Core.Hello {"client": broken'));
    await client.send(gmcp(' {"no":"package"}'));
    await client.send(gmcp('Core.Supports.Set ["Char 1", "Room 1"]'));
    await client.barrier();
    assert.deepEqual(received, [
      { package: 'Core.Hello', data: { client: 'Mudlet', version: '4.17' } },
      { package: 'Core.Supports.Set', data: ['Char 1', 'Room 1'] },
    ]);
  });
});

describe('MSSP', () => {
  it('a MUD listing crawler asking for MSSP gets the current variables', async () => {
    let players = 3;
    const { client } = await connect({ mssp: () => ({ NAME: 'Loom', PLAYERS: String(players), CODEBASE: ['Loom', 'Loom 0.1'] }) });
    players = 4;
    await client.send([IAC, DO, Opt.MSSP]);
    const reply = [IAC, SB, Opt.MSSP, 1, ...text('NAME'), 2, ...text('Loom'), 1, ...text('PLAYERS'), 2, ...text('4')];
    const codebase = [1, ...text('CODEBASE'), 2, ...text('Loom'), 2, ...text('Loom 0.1'), IAC, SE];
    await client.waitFor([...reply, ...codebase]);
  });
});

describe('MCCP2', () => {
  it('after DO COMPRESS2 everything is deflated, and the client inflates the text back', async () => {
    const { client, connection } = await connect();
    await client.send([IAC, DO, Opt.COMPRESS2]);
    await client.barrier();
    assert.equal(connection.compressing, true);
    const wire: Buffer[] = [];
    client.socket.on('data', (chunk: Buffer) => wire.push(chunk));
    const from = client.received.length;
    connection.write('Hello, compressed world\n');
    connection.sendPrompt('> ');
    await client.waitFor([...text('Hello, compressed world\r\n> '), IAC, Cmd.GA], from);
    assert.equal(Buffer.concat(wire).includes('Hello'), false);
    assert.equal(client.count([IAC, SB, Opt.COMPRESS2, IAC, SE]), 1);
  });

  it('a client toggling compression 50,000 times in one packet gets at most 16 streams and plain text after', async () => {
    const { client, connection } = await connect();
    // Each toggle used to replay every switch still held behind it: quadratic work for one unauthenticated client.
    const toggle = [IAC, DO, Opt.COMPRESS2, IAC, DONT, Opt.COMPRESS2];
    await client.send(Buffer.from(Array.from({ length: 50_000 }, () => toggle).flat()));
    await client.barrier();
    assert.ok(client.count([IAC, SB, Opt.COMPRESS2, IAC, SE]) <= 16, `${client.count([IAC, SB, Opt.COMPRESS2, IAC, SE])} streams started`);
    const from = client.received.length;
    connection.write('still here\n');
    await client.waitFor('still here\r\n', from);
  });

  it('closing ends the compressed stream properly before the socket', async () => {
    const { client, connection } = await connect();
    await client.send([IAC, DO, Opt.COMPRESS2]);
    await client.barrier();
    const closed = once(connection, 'close');
    connection.close('Goodbye.\n');
    await client.waitFor('Goodbye.\r\n');
    await client.compressionEnded();
    await client.closed();
    assert.deepEqual(await closed, ['server']);
  });

  it('DONT COMPRESS2 ends the compressed stream and output continues plain', async () => {
    const { client, connection } = await connect();
    await client.send([IAC, DO, Opt.COMPRESS2]);
    await client.barrier();
    await client.send([IAC, DONT, Opt.COMPRESS2]);
    await client.barrier();
    assert.equal(connection.compressing, false);
    await client.compressionEnded();
    const from = client.received.length;
    connection.write('plain again\n');
    await client.waitFor('plain again\r\n', from);
    assert.equal(client.count([IAC, Cmd.WONT, Opt.COMPRESS2]), 1);
  });

  it('compression switched off and on in one packet gives one stream after the other, in order', async () => {
    const { client, connection } = await connect();
    await client.send([IAC, DO, Opt.COMPRESS2]);
    await client.barrier();
    connection.write('one\n');
    await client.send([IAC, DONT, Opt.COMPRESS2, IAC, DO, Opt.COMPRESS2]);
    await client.barrier();
    connection.write('two\n');
    await client.waitFor('one\r\n');
    await client.waitFor('two\r\n');
    assert.equal(connection.compressing, true);
    assert.equal(client.count([IAC, SB, Opt.COMPRESS2, IAC, SE]), 2);
    assert.ok(client.received.indexOf('one') < client.received.indexOf('two'));
  });

  it('a client that never agreed gets no compression', async () => {
    const { client, connection } = await connect();
    await client.send([IAC, DONT, Opt.COMPRESS2, IAC, WILL, Opt.NAWS]);
    await client.barrier();
    assert.equal(connection.compressing, false);
    connection.write('plain\n');
    await client.waitFor('plain\r\n');
  });
});
