// /ws/text: the same sessions for the browser's text client, on the process's HTTP server.
import { readFileSync } from 'node:fs';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { webSocketClientErrors } from '@loom/runtime';
import type { TextConnection } from '../core/connection.ts';
import type { TextSession } from '../core/text-session.ts';
import { WsTextConnection } from '../websocket/ws-text-connection.ts';
import { tooManyConnections, type ConnectionsPerAddress } from '../core/address-limit.ts';

export async function registerWsText(
  http: FastifyInstance,
  options: { maxLineBytes: number; newSession: (connection: TextConnection) => TextSession; perAddress: ConnectionsPerAddress },
): Promise<{ close(message: string): void }> {
  const open = new Set<WsTextConnection>();
  await http.register(websocket, { options: { maxPayload: options.maxLineBytes * 2 + 1024 }, errorHandler: webSocketClientErrors(http.log) });
  // The browser's text client: one page, speaking /ws/text.
  const page = readFileSync(new URL('../web/text-client.html', import.meta.url), 'utf8');
  http.get('/text', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  http.get('/ws/text', { websocket: true }, (socket, request) => {
    if (!options.perAddress.admit(request.ip)) {
      socket.send(JSON.stringify({ type: 'error', text: tooManyConnections }));
      socket.close(1008, 'too many connections');
      return;
    }
    socket.once('close', () => options.perAddress.release(request.ip));
    const connection = new WsTextConnection(socket, request.ip, options.maxLineBytes);
    open.add(connection);
    const session = options.newSession(connection);
    connection.listen(
      {
        line: (text) => session.line(text),
        lineTooLong: () => session.lineTooLong(),
        closed: () => {
          open.delete(connection);
          session.closed();
        },
      },
      (login) => session.loginWithToken(login.accessToken, login.refreshToken),
    );
    session.start();
  });
  return {
    close(message) {
      for (const connection of open) connection.close(message);
    },
  };
}
