// graphics-gateway: 3D players over UDP (docs/protocol.md). Each accepted protocol session becomes a
// world-state session; the access token from the handshake is checked by auth-service.
import { Counter, Gauge, UnavailableError, defineService } from '@loom/runtime';
import { DisconnectReason } from '@loom/netcode';
import { watchWorld } from '@loom/runtime/transport/session-stream.ts';
import { GraphicsSession } from './core/graphics-session.ts';
import { registerWsGraphics } from './api/ws-graphics-route.ts';
import { droppedDatagrams } from './protocol/connection-table.ts';
import { startUdpServer } from './protocol/udp-server.ts';

export const service = defineService({
  name: 'graphics-gateway',
  dependsOn: ['auth-service', 'world-state'],
  // Players are held while world-state restarts ("The world is away for a moment"): stay in rotation.
  copesWithout: ['world-state'],
  async start({ config, directory, logger, metrics, http }) {
    const auth = directory.connect('auth-service');
    const world = directory.connect('world-state');
    const sessions = new Map<number, GraphicsSession>();
    const worldWatch = watchWorld('graphics-gateway', world, metrics);
    const accepted = new Counter({ name: 'loom_udp_sessions_total', help: '3D sessions accepted over UDP.', registers: [metrics.registry] });
    // The WebSocket route and the UDP server need each other: frames go to the table, its sends to the sockets.
    let receiveWs: (bytes: Uint8Array, from: { address: string; port: number }) => void = () => undefined;
    const ws = await registerWsGraphics(http, (bytes, from) => receiveWs(bytes, from));
    const server = await startUdpServer({
      route: (to) => ws.route(to),
      host: config.host,
      port: config.udpPort,
      tickRate: config.tickHz,
      maxClients: config.graphicsMaxSessions,
      perAddress: config.graphicsSessionsPerAddress,
      async verifyToken(token) {
        try {
          const principal = await auth.verify({ accessToken: token });
          // No ACCEPT while the world cannot take the player: the client is told to retry instead.
          await world.status({}).catch((error: unknown) => {
            logger.warn({ err: error }, 'a 3D player waits: world-state does not answer');
            throw new UnavailableError('the world is not available right now; try again in a moment');
          });
          return { userId: principal.userId, username: principal.username };
        } catch (error) {
          return error instanceof Error ? error : new Error(String(error));
        }
      },
      events: {
        connected(session, token) {
          accepted.inc();
          const graphics = new GraphicsSession(session, world, logger, () => {
            if (sessions.get(session.id) === graphics) server.table.disconnect(session.id, DisconnectReason.Kicked);
          });
          sessions.set(session.id, graphics);
          graphics.start(token, session.peer.address);
        },
        messages(session, messages) {
          sessions.get(session.id)?.messages(messages);
        },
        disconnected(session) {
          void sessions.get(session.id)?.close();
          sessions.delete(session.id);
        },
      },
    });
    receiveWs = (bytes, from) => void server.table.receive(bytes, from);
    const registers = [metrics.registry];
    new Gauge({
      registers,
      name: 'loom_graphics_table',
      help: 'What the 3D connection table holds: sessions, spent cookies, network addresses with a handshake budget (proven ones only).',
      labelNames: ['part'],
      collect() {
        for (const [part, count] of Object.entries(server.table.footprint)) this.set({ part }, count);
      },
    });
    // The table counts in plain numbers (a datagram costs no label lookup); Prometheus reads them at scrape time.
    new Counter({
      registers,
      name: 'loom_graphics_datagrams_received_total',
      help: 'Datagrams the 3D gateway received (UDP, and messages on /ws/graphics), kept or dropped.',
      collect() {
        this.reset();
        this.inc(server.table.received);
      },
    });
    new Counter({
      registers,
      name: 'loom_graphics_datagrams_dropped_total',
      help: 'Datagrams the 3D gateway threw away unanswered, by reason: malformed, rateLimited, unknownSession, forged/expired/replayedCookie, duplicate, windowFull.',
      labelNames: ['reason'],
      collect() {
        this.reset();
        for (const reason of droppedDatagrams) this.inc({ reason }, server.table.stats[reason]);
      },
    });
    const drops = new Set<string>(droppedDatagrams);
    new Counter({
      registers,
      name: 'loom_graphics_protocol_events_total',
      help: 'Handshakes the 3D gateway refused and sessions it ended, by kind (docs/protocol.md): version mismatch, address full, server full, taken over...',
      labelNames: ['event'],
      collect() {
        this.reset();
        for (const [event, count] of Object.entries(server.table.stats)) if (count > 0 && !drops.has(event)) this.inc({ event }, count);
      },
    });
    return {
      listening: [`UDP ${config.host}:${server.address.port} (3D players, docs/protocol.md)`, 'WebSocket graphics /ws/graphics'],
      async drain() {
        await Promise.all([...sessions.values()].map((graphics) => graphics.close()));
        ws.closeAll();
      },
      async stop() {
        worldWatch.stop();
        await server.close();
      },
    };
  },
});
