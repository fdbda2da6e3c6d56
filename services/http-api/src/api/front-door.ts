// One front door: when the services run apart (`loom up`), the browser still plays at http-api's address.
// http-api forwards the paths other services serve (WebSockets included) to the addresses
// LOOM_PROXY_*_URL give; unset, a path is not forwarded (the all-in-one serves it on this same server).
import type { IncomingHttpHeaders } from 'node:http';
import type { IncomingHttpHeaders as Http2IncomingHttpHeaders } from 'node:http2';
import httpProxy, { type FastifyHttpProxyOptions } from '@fastify/http-proxy';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LoomConfig } from '@loom/runtime';

interface Route {
  /** Path prefix, forwarded as it is. */
  prefix: string;
  upstream: (config: LoomConfig) => string | undefined;
  service: string;
  websocket?: boolean;
}

export const frontDoorRoutes: Route[] = [
  { prefix: '/text', upstream: (c) => c.proxyTextUrl, service: 'text-gateway' },
  { prefix: '/ws/text', upstream: (c) => c.proxyTextUrl, service: 'text-gateway', websocket: true },
  { prefix: '/ws/graphics', upstream: (c) => c.proxyGraphicsUrl, service: 'graphics-gateway', websocket: true },
  { prefix: '/assets', upstream: (c) => c.proxyAssetsUrl, service: 'asset-service' },
  { prefix: '/api/v1/assets', upstream: (c) => c.proxyAssetsUrl, service: 'asset-service' },
];

type ProxyRequest = Pick<FastifyRequest, 'protocol' | 'host'> & { raw: { socket: { remoteAddress?: string } } };

/** The client's address appended to what earlier proxies said: the upstream, trusting us (LOOM_TRUST_PROXY), sees the player's. */
function forwardedFor<H extends IncomingHttpHeaders | Http2IncomingHttpHeaders>(headers: H, request: ProxyRequest): H {
  const earlier = headers['x-forwarded-for'];
  const peer = request.raw.socket.remoteAddress ?? '';
  return { ...headers, 'x-forwarded-for': earlier ? `${String(earlier)}, ${peer}` : peer, 'x-forwarded-proto': request.protocol, 'x-forwarded-host': request.host };
}

/** Registers a forward for each route whose upstream is configured; returns what is forwarded where. */
export async function frontDoor(app: FastifyInstance, config: LoomConfig): Promise<string[]> {
  const forwarded: string[] = [];
  for (const route of frontDoorRoutes) {
    const upstream = route.upstream(config);
    if (!upstream) continue;
    const options: FastifyHttpProxyOptions = {
      upstream,
      prefix: route.prefix,
      rewritePrefix: route.prefix,
      replyOptions: {
        rewriteRequestHeaders: (request, headers) => forwardedFor(headers, request),
        onError: (reply) =>
          void reply.code(503).header('retry-after', '2').send({ error: { code: 'UNAVAILABLE', message: `${route.service} is not answering; try again in a moment` } }),
      },
    };
    // The plugin reads rewriteRequestHeaders for WebSockets too, though its types (ws's ClientOptions) do not name it.
    const wsClientOptions = { handshakeTimeout: 10_000, rewriteRequestHeaders: forwardedFor };
    if (route.websocket) await app.register(httpProxy, { ...options, websocket: true, wsClientOptions });
    else await app.register(httpProxy, options);
    forwarded.push(`${route.prefix} -> ${upstream}`);
  }
  return forwarded;
}
