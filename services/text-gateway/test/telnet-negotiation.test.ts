import assert from 'node:assert/strict';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import { Cmd, Opt } from '../src/telnet/codes.ts';
import { pairPerTest } from '../src/telnet/testing.ts';

const { IAC, WILL, WONT, DO, DONT, SB, SE } = Cmd;
const text = (value: string) => [...Buffer.from(value, 'latin1')];

const connect = pairPerTest(afterEach);

describe('telnet negotiation', () => {
  it('a client connecting is offered SGA, EOR, CHARSET, GMCP, MSSP and MCCP2, and asked for NAWS and TTYPE', async () => {
    const { client } = await connect({ mssp: () => ({ NAME: 'Loom' }) });
    const offers = [
      [IAC, WILL, Opt.SGA],
      [IAC, WILL, Opt.EOR],
      [IAC, WILL, Opt.CHARSET],
      [IAC, WILL, Opt.GMCP],
      [IAC, WILL, Opt.MSSP],
      [IAC, WILL, Opt.COMPRESS2],
      [IAC, DO, Opt.NAWS],
      [IAC, DO, Opt.TTYPE],
    ].flat();
    await client.waitFor(offers);
    assert.deepEqual([...client.received], offers);
  });

  it('a server without MSSP variables does not offer MSSP', async () => {
    const { client } = await connect();
    await client.barrier();
    assert.equal(client.count([IAC, WILL, Opt.MSSP]), 0);
  });

  it('unknown options are refused once, and the client acknowledging the refusal gets no answer', async () => {
    const { client } = await connect();
    await client.send([IAC, WILL, 99, IAC, DO, 98]);
    await client.barrier();
    await client.send([IAC, WONT, 99, IAC, DONT, 98, IAC, WONT, 99]);
    // Agreeing to what the server offered, twice, must not start an echo war either.
    await client.send([IAC, DO, Opt.SGA, IAC, DO, Opt.SGA]);
    await client.barrier();
    assert.equal(client.count([IAC, DONT, 99]), 1);
    assert.equal(client.count([IAC, WONT, 98]), 1);
    assert.equal(client.count([IAC, WILL, Opt.SGA]), 1);
    assert.equal(client.count([IAC, WONT, Opt.SGA]), 0);
  });

  it('a password prompt turns the client echo off (WILL ECHO) and back on (WONT ECHO)', async () => {
    const { client, connection } = await connect();
    connection.setPasswordMode(true);
    connection.setPasswordMode(true);
    await client.waitFor([IAC, WILL, Opt.ECHO]);
    await client.send([IAC, DO, Opt.ECHO]);
    await client.barrier();
    connection.setPasswordMode(false);
    await client.waitFor([IAC, WONT, Opt.ECHO]);
    await client.send([IAC, DONT, Opt.ECHO]);
    await client.barrier();
    assert.equal(client.count([IAC, WILL, Opt.ECHO]), 1);
    assert.equal(client.count([IAC, WONT, Opt.ECHO]), 1);
  });

  it('a client asking the server to echo outside password mode is refused', async () => {
    const { client } = await connect();
    await client.send([IAC, DO, Opt.ECHO]);
    await client.waitFor([IAC, WONT, Opt.ECHO]);
  });

  it('the window size comes from NAWS, including a width of 255 sent as IAC IAC', async () => {
    const { client, connection } = await connect();
    assert.deepEqual([connection.width, connection.height], [80, 24]);
    const first = once(connection, 'resize');
    await client.send([IAC, WILL, Opt.NAWS, IAC, SB, Opt.NAWS, 0, 100, 0, 40, IAC, SE]);
    assert.deepEqual(await first, [{ width: 100, height: 40 }]);
    const second = once(connection, 'resize');
    await client.send([IAC, SB, Opt.NAWS, 0, IAC, IAC, 0, 50, IAC, SE]);
    assert.deepEqual(await second, [{ width: 255, height: 50 }]);
    assert.equal(connection.width, 255);
  });

  it('a NAWS report split into single-byte TCP writes still arrives whole', async () => {
    const { client, connection } = await connect();
    const resized = once(connection, 'resize');
    for (const byte of [IAC, SB, Opt.NAWS, 1, 0, 0, IAC, IAC, IAC, SE]) {
      await client.send([byte]);
      await delay(2);
    }
    assert.deepEqual(await resized, [{ width: 256, height: 255 }]);
  });

  it('terminal types are collected over three TTYPE SEND rounds, ending with MTTS', async () => {
    const { client, connection } = await connect();
    const send = [IAC, SB, Opt.TTYPE, 1, IAC, SE];
    const named = once(connection, 'terminalType');
    await client.send([IAC, WILL, Opt.TTYPE]);
    let from = 0;
    for (const name of ['MUDLET', 'XTERM-256COLOR', 'MTTS 2825']) {
      from = (await client.waitFor(send, from)) + send.length;
      await client.send([IAC, SB, Opt.TTYPE, 0, ...text(name), IAC, SE]);
    }
    assert.deepEqual(await named, [['MUDLET', 'XTERM-256COLOR', 'MTTS 2825']]);
    await client.barrier();
    assert.equal(client.count(send), 3);
    assert.deepEqual(connection.terminalTypes, ['MUDLET', 'XTERM-256COLOR', 'MTTS 2825']);
  });

  it('a client with one terminal type repeats it, which ends the list', async () => {
    const { client, connection } = await connect();
    const named = once(connection, 'terminalType');
    await client.send([IAC, WILL, Opt.TTYPE, IAC, SB, Opt.TTYPE, 0, ...text('ANSI'), IAC, SE]);
    await client.send([IAC, SB, Opt.TTYPE, 0, ...text('ANSI'), IAC, SE]);
    assert.deepEqual(await named, [['ANSI']]);
  });

  it('CHARSET: the server asks for UTF-8 and the client accepts', async () => {
    const { client, connection } = await connect();
    await client.send([IAC, DO, Opt.CHARSET]);
    await client.waitFor([IAC, SB, Opt.CHARSET, 1, ...text(';UTF-8'), IAC, SE]);
    await client.send([IAC, SB, Opt.CHARSET, 2, ...text('UTF-8'), IAC, SE]);
    await client.barrier();
    assert.equal(connection.utf8, true);
    connection.write('café ✓');
    await client.waitFor('café ✓');
  });

  it('CHARSET refused by a non-UTF-8 terminal: output falls back to Latin-1, with byte 255 escaped', async () => {
    const { client, connection } = await connect();
    await client.send([IAC, DONT, Opt.CHARSET]);
    await client.barrier();
    assert.equal(connection.utf8, false);
    connection.write('café ÿ ✓\n');
    await client.waitFor([...text('caf\xe9 '), IAC, IAC, ...text(' ?\r\n')]);
  });

  it('CHARSET refused but MTTS says UTF-8: UTF-8 stays', async () => {
    const { client, connection } = await connect();
    await client.send([IAC, DONT, Opt.CHARSET, IAC, WILL, Opt.TTYPE]);
    await client.send([IAC, SB, Opt.TTYPE, 0, ...text('MTTS 4'), IAC, SE]);
    await client.barrier();
    assert.equal(connection.utf8, true);
  });

  it("a client's own CHARSET REQUEST is answered: UTF-8 accepted, anything else rejected", async () => {
    const { client } = await connect();
    await client.send([IAC, WILL, Opt.CHARSET, IAC, SB, Opt.CHARSET, 1, ...text(' ISO-8859-1 UTF-8'), IAC, SE]);
    await client.waitFor([IAC, SB, Opt.CHARSET, 2, ...text('UTF-8'), IAC, SE]);
    await client.send([IAC, SB, Opt.CHARSET, 1, ...text(';KOI8-R'), IAC, SE]);
    await client.waitFor([IAC, SB, Opt.CHARSET, 3, IAC, SE]);
  });

  it('a prompt ends with GA, or with EOR once the client agreed to EOR', async () => {
    const { client, connection } = await connect();
    connection.sendPrompt('Name: ');
    await client.waitFor([...text('Name: '), IAC, Cmd.GA]);
    await client.send([IAC, DO, Opt.EOR]);
    await client.barrier();
    connection.sendPrompt('> ');
    await client.waitFor([...text('> '), IAC, Cmd.EOR]);
  });
});
