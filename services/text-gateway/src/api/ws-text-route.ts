// /ws/text: the same sessions for the browser's text client, on the process's HTTP server.
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { TextConnection } from '../core/connection.ts';
import type { TextSession } from '../core/text-session.ts';
import { WsTextConnection } from '../websocket/ws-text-connection.ts';

export async function registerWsText(
  http: FastifyInstance,
  options: { maxLineBytes: number; newSession: (connection: TextConnection) => TextSession },
): Promise<{ close(message: string): void }> {
  const open = new Set<WsTextConnection>();
  await http.register(websocket, { options: { maxPayload: options.maxLineBytes * 2 + 1024 } });
  http.get('/ws/text', { websocket: true }, (socket, request) => {
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
