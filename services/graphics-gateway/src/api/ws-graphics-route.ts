// /ws/graphics: the same protocol frames for browsers, which cannot send UDP. Each binary WebSocket
// message is one datagram; the connection table sees the socket as a peer of its own.
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { webSocketClientErrors } from '@loom/runtime';
import type { PeerAddress } from '../protocol/session.ts';

export interface WsPeers {
  /** The sender for a WebSocket peer, undefined for a UDP one. */
  route(to: PeerAddress): ((bytes: Uint8Array) => void) | undefined;
  closeAll(): void;
}

const prefix = 'ws:';

export async function registerWsGraphics(http: FastifyInstance, receive: (bytes: Uint8Array, from: PeerAddress) => void): Promise<WsPeers> {
  const sockets = new Map<string, WebSocket>();
  let next = 0;
  // text-gateway may have registered the plugin on the same server (the all-in-one).
  if (!http.hasDecorator('websocketServer')) await http.register(websocket, { errorHandler: webSocketClientErrors(http.log) });
  http.get('/ws/graphics', { websocket: true }, (socket, request) => {
    // Named per socket for the cookie and the session; limits count against the IP (`host`).
    const peer: PeerAddress = { address: `${prefix}${++next}:${request.ip}`, port: 0, host: request.ip };
    sockets.set(peer.address, socket);
    // Every message, text or binary and of any size, is one datagram: the table decodes it or counts it
    // malformed (oversized ones too), as it does a UDP datagram.
    socket.on('message', (data) => {
      const bytes = data as Buffer;
      receive(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), peer);
    });
    socket.on('close', () => sockets.delete(peer.address));
    socket.on('error', () => socket.terminate());
  });
  return {
    route(to) {
      if (!to.address.startsWith(prefix)) return undefined;
      const socket = sockets.get(to.address);
      return (bytes) => {
        if (socket?.readyState === socket?.OPEN) socket?.send(bytes);
      };
    },
    closeAll() {
      for (const socket of sockets.values()) socket.close(1001, 'server stopping');
    },
  };
}
