// text-gateway: telnet on port 4000 and /ws/text, both driving the same text sessions.
import { defineService, Gauge, Histogram, type Metrics } from '@loom/runtime';
import { watchWorld } from '@loom/runtime/transport/session-stream.ts';
import type { TextConnection } from './core/connection.ts';
import { TextSession } from './core/text-session.ts';
import { listenTelnet } from './api/telnet-listener.ts';
import { registerWsText } from './api/ws-text-route.ts';
import { msspVariables } from './core/mssp-status.ts';
import { ConnectionsPerAddress } from './core/address-limit.ts';
import type { TextMeter } from './core/text-meter.ts';

const maxLineBytes = 4096;

export const service = defineService({
  name: 'text-gateway',
  dependsOn: ['auth-service', 'world-state'],
  // Players are held while world-state restarts ("The world is away for a moment"): stay in rotation.
  copesWithout: ['world-state'],
  async start({ config, directory, logger, http, metrics }) {
    const auth = directory.connect('auth-service');
    const world = directory.connect('world-state');
    // MSSP reports the world's status; /metrics whether world-state answers (loom_gateway_upstream_up).
    const worldWatch = watchWorld('text-gateway', world, metrics);
    const leaving = new Set<Promise<void>>();
    const onLeave = (told: Promise<void>) => {
      leaving.add(told);
      void told.finally(() => leaving.delete(told));
    };
    const meter = textMetrics(metrics);
    const newSession = (connection: TextConnection) =>
      new TextSession(connection, { auth, world, logger, worldName: config.worldName, idleTimeoutMs: config.idleTimeoutS * 1000, loginTimeoutMs: config.loginTimeoutS * 1000, floodLines: config.textFloodLines, onLeave, meter });
    const perAddress = new ConnectionsPerAddress(config.textConnectionsPerAddress);
    let boundPort = () => config.telnetPort;
    const telnet = await listenTelnet({
      host: config.host,
      port: config.telnetPort,
      maxLineBytes,
      // The bound port (LOOM_TELNET_PORT may be 0): MUD listings connect to what MSSP says.
      mssp: () => msspVariables(config.worldName, boundPort(), worldWatch.status()),
      newSession,
      perAddress,
    });
    boundPort = () => telnet.port;
    const ws = await registerWsText(http, { maxLineBytes, newSession, perAddress });
    return {
      listening: [`telnet ${config.host}:${telnet.port}`, 'browser text client /text (WebSocket /ws/text)'],
      async drain() {
        ws.close('The server is restarting. Come back in a moment!');
        await telnet.close('The server is restarting. Come back in a moment!\n');
        // The world hears that each player left (a stream that just breaks would keep them, linkdead).
        await new Promise((resolve) => setImmediate(resolve));
        await Promise.all(leaving);
      },
      async stop() {
        worldWatch.stop();
      },
    };
  },
});

function textMetrics(metrics: Metrics): TextMeter {
  const registers = [metrics.registry];
  const players = new Gauge({ registers, name: 'loom_gateway_players', help: 'Players in the world through this gateway, by connection kind.', labelNames: ['kind'] });
  const sayEcho = new Histogram({
    registers,
    name: 'loom_say_echo_seconds',
    help: 'From reading a typed say to writing the first line its speaker reads after it: the round trip a player feels.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  });
  for (const kind of ['telnet', 'websocket']) players.set({ kind }, 0);
  return {
    playing: (kind, change) => players.inc({ kind }, change),
    sayEchoed: (seconds) => sayEcho.observe(seconds),
  };
}
