// The browser's 3D client (apps/client) at /: index.html uncached, the hashed files under /client/ (/assets/ is asset-service's)
// cached for a year. A fresh clone has no apps/client/dist, so the first start builds it in the
// background with vite and answers / with a "being built" page meanwhile: `npm ci && npm start` just works.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '@loom/runtime';

const clientDir = fileURLToPath(new URL('../../../../apps/client/', import.meta.url));
const dist = join(clientDir, 'dist');

const buildingPage = `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="3"><title>Loom</title>
<body style="background:#14161a;color:#d8dee9;font:15px ui-monospace,monospace;padding:2em">
The client is being built, reload in a moment (this page reloads itself). The text client is at <a style="color:#81a1c1" href="/text">/text</a>.</body>`;

export async function clientRoutes(app: FastifyInstance, logger: Pick<Logger, 'info' | 'error'>): Promise<void> {
  let building: Promise<boolean> | undefined;
  if (!existsSync(join(dist, 'index.html'))) building = build(logger);
  mkdirSync(join(dist, 'client'), { recursive: true }); // @fastify/static wants its root to exist

  // decorateReply false: @fastify/swagger-ui registers the same plugin for its own files.
  await app.register(fastifyStatic, { root: join(dist, 'client'), prefix: '/client/', decorateReply: false, wildcard: true, immutable: true, maxAge: '365d', cacheControl: true });
  let index: string | undefined;
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    if (building) return reply.code(503).header('cache-control', 'no-store').header('retry-after', '3').type('text/html').send(buildingPage);
    index ??= readFileSync(join(dist, 'index.html'), 'utf8');
    return reply.header('cache-control', 'no-cache').type('text/html').send(index);
  });
  void building?.then((built) => (building = built ? undefined : building));
}

/** Builds into a private directory, then moves the files in, index.html last: it is what says "built". */
async function build(logger: Pick<Logger, 'info' | 'error'>): Promise<boolean> {
  const started = Date.now();
  const outDir = join(clientDir, `dist.building-${process.pid}`);
  try {
    const vite = await import('vite');
    await vite.build({ configFile: join(clientDir, 'vite.config.ts'), root: clientDir, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    // Another process building at the same time writes the same hashed names: a rename over one is harmless.
    for (const file of readdirSync(join(outDir, 'client'))) renameSync(join(outDir, 'client', file), join(dist, 'client', file));
    renameSync(join(outDir, 'index.html'), join(dist, 'index.html'));
    rmSync(outDir, { recursive: true, force: true });
    logger.info({ ms: Date.now() - started, dir: dist }, 'browser client built');
    return true;
  } catch (error) {
    rmSync(outDir, { recursive: true, force: true });
    logger.error({ err: error }, 'building the browser client failed: run `npm run build -w @loom/client`');
    return false;
  }
}
