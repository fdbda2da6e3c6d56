// Downloads: GET/HEAD /assets/<hash>, immutable and cacheable forever, with Range; /assets/by-name/<name>
// redirects to the newest hash, so names can move while every hash ever handed out keeps working.
import { HttpError, responses } from '@loom/runtime';
import type { FastifyInstance } from 'fastify';
import { checkAssetName, type AssetCore } from '../core/assets.ts';
import { parseRange } from '../core/ranges.ts';
import type { BlobStore } from '../store/blob-store.ts';
import { hashParams } from './schemas.ts';

/** If-None-Match holds the tag (weak comparison, RFC 9110 §13.1.2) or `*`. */
function matches(header: string | undefined, etag: string): boolean {
  return (header ?? '').split(',').some((tag) => ['*', etag].includes(tag.trim().replace(/^W\//, '')));
}

export function downloadRoutes(app: FastifyInstance, deps: { core: AssetCore; store: BlobStore }): void {
  const tags = ['assets'];
  app.route<{ Params: { hash: string } }>({
    method: ['GET', 'HEAD'],
    url: '/assets/:hash',
    schema: { tags, summary: 'The content of an asset; supports If-None-Match and Range', params: hashParams, response: responses({}, 400, 404, 416) },
    handler: async (request, reply) => {
      const { hash } = request.params;
      const meta = await deps.core.getMeta({ hash, name: '' });
      const etag = `"${hash}"`;
      const validator = { etag, 'accept-ranges': 'bytes' };
      if (matches(request.headers['if-none-match'], etag)) {
        return reply.code(304).headers({ ...validator, 'cache-control': 'public, max-age=31536000, immutable' }).send();
      }
      const ifRange = request.headers['if-range'];
      const range = ifRange === undefined || ifRange === etag ? parseRange(request.headers.range, meta.size) : undefined;
      if (range === 'unsatisfiable') {
        reply.headers({ ...validator, 'content-range': `bytes */${meta.size}` });
        throw new HttpError(416, 'RANGE_NOT_SATISFIABLE', `the range "${request.headers.range}" is outside the asset's ${meta.size} bytes`);
      }
      // The content behind a hash never changes: caches may keep it for a year without asking again.
      reply.type(meta.contentType).headers({ ...validator, 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' });
      if (range) reply.code(206).headers({ 'content-range': `bytes ${range.start}-${range.end}/${meta.size}`, 'content-length': range.end - range.start + 1 });
      else reply.header('content-length', meta.size);
      if (request.method === 'HEAD') return reply.send();
      return reply.send(await deps.store.read(hash, range));
    },
  });
  app.get<{ Params: { '*': string } }>(
    '/assets/by-name/*',
    { schema: { tags, summary: 'Redirects (302) to the newest content stored under a name', response: responses({}, 400, 404) } },
    async (request, reply) => {
      const meta = await deps.core.getMeta({ hash: '', name: checkAssetName(request.params['*']) });
      // Not cached: the name may point elsewhere after the next upload.
      return reply.header('cache-control', 'no-cache').redirect(`/assets/${meta.hash}`, 302);
    },
  );
}
