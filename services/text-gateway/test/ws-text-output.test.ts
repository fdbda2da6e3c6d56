// /ws/text output is bounded like telnet's: a browser that stops reading is dropped once what waits for
// it passes the bound, instead of growing the server's memory without end. Real sockets, a real ws pair.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';
import { WsTextConnection } from '../src/websocket/ws-text-connection.ts';

describe('/ws/text output', () => {
  it('drops a client that stops reading once its unread output passes the bound', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    try {
      const accepted = once(server, 'connection') as Promise<[WebSocket]>;
      const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
      await once(client, 'open');
      const [socket] = await accepted;
      // The browser tab stops reading: its socket is paused, so the kernel buffers fill and stay full.
      (client as unknown as { _socket: { pause(): void } })._socket.pause();
      const connection = new WsTextConnection(socket, '127.0.0.1', 4096, 256 * 1024);
      let closed = false;
      connection.listen({ line: () => undefined, lineTooLong: () => undefined, closed: () => (closed = true) }, () => undefined);
      const block = `${'x'.repeat(1023)}\n`.repeat(64);
      let written = 0;
      while (!closed && written < 256 * 1024 * 1024) {
        connection.write(block);
        written += block.length;
        await nextTurn();
      }
      assert.equal(closed, true, 'dropped');
      assert.ok(written < 64 * 1024 * 1024, `dropped long before 64 MiB were queued (${written} bytes written)`);
      client.terminate();
    } finally {
      server.close();
    }
  });
});
