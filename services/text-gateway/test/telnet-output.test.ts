import assert from 'node:assert/strict';
import { once } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import { pairPerTest } from '../src/telnet/testing.ts';

const connect = pairPerTest(afterEach);

describe('telnet output', () => {
  it('newlines go out as CR LF, text as UTF-8', async () => {
    const { client, connection } = await connect();
    const from = client.received.length;
    connection.write('one\ntwo\r\nthree ✓\n');
    await client.waitFor('one\r\ntwo\r\nthree ✓\r\n', from);
  });

  it('a client that stops reading is dropped once its unread output passes the bound', async () => {
    const { client, connection } = await connect({ maxOutputBytes: 256 * 1024 });
    client.socket.pause();
    let reason: string | undefined;
    connection.on('close', (why) => {
      reason = why;
    });
    const block = `${'x'.repeat(1023)}\n`.repeat(64);
    let written = 0;
    // Far more than loopback socket buffers hold; the connection must give up long before.
    while (reason === undefined && written < 256 * 1024 * 1024) {
      connection.write(block);
      written += block.length;
      await nextTurn();
    }
    assert.equal(reason, 'slow-client');
    connection.write('ignored after the drop');
  });

  it('a client that keeps reading gets a burst many times the bound', async () => {
    const { client, connection } = await connect({ maxOutputBytes: 256 * 1024 });
    let closed = false;
    connection.on('close', () => {
      closed = true;
    });
    const block = `${'y'.repeat(1023)}\n`.repeat(64);
    for (let written = 0; written < 8 * 1024 * 1024; written += block.length) {
      connection.write(block);
      await nextTurn();
    }
    // Written now, read later: it cannot already be among the bytes received.
    const from = client.received.length;
    connection.write('the end\n');
    await client.waitFor('the end\r\n', from);
    assert.equal(closed, false);
  });

  it('close writes the last message, then ends the connection', async () => {
    const { client, connection } = await connect();
    const closed = once(connection, 'close');
    connection.close('The world fades.\n');
    connection.write('too late');
    await client.waitFor('The world fades.\r\n');
    await client.closed();
    assert.deepEqual(await closed, ['server']);
    assert.equal(client.received.includes('too late'), false);
  });

  it('a client hanging up closes the connection with reason "client"', async () => {
    const { client, connection } = await connect();
    const closed = once(connection, 'close');
    client.socket.end();
    assert.deepEqual(await closed, ['client']);
  });
});
