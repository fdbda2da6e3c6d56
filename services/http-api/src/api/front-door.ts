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

const frontDoorRoutes: Route[] = [
  { prefix: '/text', upstream: (c) => c.proxyTextUrl, service: 'text-gateway' },
  { prefix: '/ws/text', upstream: (c) => c.proxyTextUrl, service: 'text-gateway', websocket: true },
  { prefix: '/ws/graphics', upstream: (c) => c.proxyGraphicsUrl, service: 'graphics-gateway', websocket: true },
  { prefix: '/assets', upstream: (c) => c.proxyAssetsUrl, service: 'asset-service' },
  { prefix: '/api/v1/assets', upstream: (c) => c.proxyAssetsUrl, service: 'asset-service' },
];

/** `headers` (the request's for HTTP, none for a WebSocket) with the client as http-api sees it: the peer,
 *  or what a proxy it trusts (LOOM_TRUST_PROXY) said. Replaced, not appended to, so a client cannot name
 *  an address of its choosing to the upstream, which trusts http-api. */
function forwardedFor<H extends IncomingHttpHeaders | Http2IncomingHttpHeaders>(headers: H, request: Pick<FastifyRequest, 'ip' | 'protocol' | 'host'>): H {
  return { ...headers, 'x-forwarded-for': request.ip, 'x-forwarded-proto': request.protocol, 'x-forwarded-host': request.host };
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
