// Uploads by builders and admins: PUT /api/v1/assets/<name> (or POST /api/v1/assets?name=<name>) with the raw bytes.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { HttpError, InvalidArgumentError, PermissionDeniedError, responses, type ServiceClient, UnauthenticatedError } from '@loom/runtime';
import { checkAssetName, type AssetCore } from '../core/assets.ts';
import { allowedTypes, assetType, looksLike } from '../core/content-types.ts';
import type { BlobStore } from '../store/blob-store.ts';
import { receive, tooLarge } from './receive.ts';
import { assetBody } from './schemas.ts';

export interface UploadDeps {
  auth: ServiceClient<'auth-service'>;
  core: AssetCore;
  store: BlobStore;
  incoming: string;
  maxBytes: number;
}

const uploaders = new Set(['builder', 'admin']);

function bearerToken(request: FastifyRequest): string {
  const match = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '');
  if (!match) throw new UnauthenticatedError('send the access token as "Authorization: Bearer <token>"');
  return match[1]!;
}

export function uploadRoutes(app: FastifyInstance, deps: UploadDeps): void {
  // Bodies stay streams: every content type reaches the handler unread, whatever its size.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  const upload = async (request: FastifyRequest, reply: FastifyReply, name: string) => {
    // Checks that need no body come first, so a refused upload is not read at all.
    const principal = await deps.auth.verify({ accessToken: bearerToken(request) });
    if (!uploaders.has(principal.role)) throw new PermissionDeniedError('uploading assets needs the builder or admin role');
    checkAssetName(name);
    const type = assetType(request.headers['content-type']);
    if (!type) throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type must be one of ${allowedTypes.join(', ')}`);
    if (Number(request.headers['content-length']) > deps.maxBytes) throw tooLarge(deps.maxBytes);

    const { file, hash, size, head } = await receive(request.body as Readable, deps.incoming, deps.maxBytes);
    try {
      if (size === 0) throw new InvalidArgumentError('the body is empty: send the bytes of the asset');
      if (!looksLike(type, head, size)) throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `the content is not ${type}: its first bytes are not that format's`);
      const created = await deps.store.put(hash, file, size, type);
      await deps.core.putMeta({ hash, name, contentType: type, size, uploaderId: principal.userId, createdAtMs: 0 });
      const url = `/assets/${hash}`;
      return reply.code(created ? 201 : 200).header('location', url).send({ hash, name, contentType: type, size, url });
    } finally {
      await rm(file, { force: true });
    }
  };

  const tags = ['assets'];
  const schema = (summary: string, extra: object) => ({
    tags,
    summary,
    security: [{ bearerAuth: [] }],
    ...extra,
    response: responses({ 200: assetBody, 201: assetBody }, 400, 401, 403, 413, 415),
  });
  const summary = `Upload an asset (builders, admins): raw bytes, Content-Type one of ${allowedTypes.join(', ')}. 201 when new, 200 when the content was already stored`;
  app.put<{ Params: { '*': string } }>(
    '/api/v1/assets/*',
    { schema: schema(summary, { params: { type: 'object', properties: { '*': { type: 'string', description: 'the name, e.g. models/tree.glb' } } } }) },
    (request, reply) => upload(request, reply, request.params['*']),
  );
  app.post<{ Querystring: { name: string } }>(
    '/api/v1/assets',
    { schema: schema(summary, { querystring: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } }) },
    (request, reply) => upload(request, reply, request.query.name),
  );
}
