// Test support: the client library's transport over a real node:dgram socket, as a Node bot uses it.
// `localAddress` (any 127.x.y.z on Linux) makes the client another network address on one machine.
import { createSocket } from 'node:dgram';
import type { Transport } from '@loom/netcode';

export async function udpTransport(port: number, host = '127.0.0.1', localAddress = '127.0.0.1'): Promise<Transport> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, localAddress, resolve));
  return {
    send: (bytes) => socket.send(bytes, port, host),
    onDatagram: (handler) => socket.on('message', (message) => handler(new Uint8Array(message.buffer, message.byteOffset, message.byteLength))),
    // After the sends already asked for (a goodbye), which dgram hands to the system on a later turn.
    close: () => setImmediate(() => socket.close()),
  };
}

/** The same frames over /ws/graphics, as a browser sends them. */
export async function wsTransport(url: string, localAddress?: string): Promise<Transport> {
  const { default: WebSocket } = await import('ws');
  const socket = new WebSocket(url, localAddress ? { localAddress } : {});
  socket.binaryType = 'nodebuffer';
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    send: (bytes) => socket.send(bytes),
    onDatagram: (handler) => socket.on('message', (data: Buffer) => handler(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))),
    close: () => socket.close(),
  };
}
