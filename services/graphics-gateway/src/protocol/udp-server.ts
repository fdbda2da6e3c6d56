// The thin socket binding: a node:dgram socket feeds the ConnectionTable and a timer ticks it.
// Everything worth testing lives in the table; this file only moves bytes.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { ConnectionTable, type ConnectionTableOptions } from './connection-table.ts';
import type { PeerAddress } from './session.ts';

export interface UdpServerOptions extends Omit<ConnectionTableOptions, 'send'> {
  /** Peers that are not UDP (WebSockets carrying the same frames): their sender, or undefined for UDP. */
  route?: (to: PeerAddress) => ((bytes: Uint8Array) => void) | undefined;
  host: string;
  /** 0 picks a free port (tests); the bound one is in `address`. */
  port: number;
}

export interface UdpServer {
  readonly table: ConnectionTable;
  readonly address: PeerAddress;
  readonly socket: Socket;
  /** Socket errors (mostly ICMP unreachable after sending to a departed client). */
  readonly socketErrors: () => number;
  close(): Promise<void>;
}

export async function startUdpServer(options: UdpServerOptions): Promise<UdpServer> {
  const socket = createSocket({ type: isIPv6(options.host) ? 'udp6' : 'udp4' });
  const table = new ConnectionTable({
    ...options,
    send: (to, bytes) => {
      const other = options.route?.(to);
      if (other) other(bytes);
      else socket.send(bytes, to.port, to.address);
    },
  });
  // Oversized datagrams too: decoding refuses them first thing, and the table counts them malformed.
  socket.on('message', (message, rinfo) => void table.receive(message, { address: rinfo.address, port: rinfo.port }));
  // A send to an unreachable peer surfaces here as an ICMP error; a UDP server must not die of it.
  let socketErrors = 0;
  socket.on('error', () => socketErrors++);
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port, options.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const timer = setInterval(() => table.tick(), 1000 / options.tickRate);
  const { address, port } = socket.address();
  return {
    table,
    socket,
    address: { address, port },
    socketErrors: () => socketErrors,
    async close() {
      clearInterval(timer);
      table.shutdown();
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
