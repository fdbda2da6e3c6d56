// REST for scripts: /api/v1/objects/:id/scripts/:event. world-state checks the caller's rights.
import { responses } from '@loom/runtime';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Script } from '@loom/proto';
import type { ServiceClient } from '@loom/runtime';
import { eventNamePattern } from '@loom/world';
import { bearerToken } from './auth-routes.ts';
import { bearer } from './schemas.ts';

const params = {
  type: 'object',
  required: ['id', 'event'],
  properties: { id: { type: 'integer', minimum: 1 }, event: { type: 'string', pattern: eventNamePattern.source } },
} as const;

const scriptBody = {
  type: 'object',
  properties: {
    objectId: { type: 'integer' },
    event: { type: 'string' },
    version: { type: 'integer' },
    source: { type: 'string' },
    authorId: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    deleted: { type: 'boolean' },
  },
} as const;

const body = (s: Script) => ({
  objectId: s.objectId,
  event: s.event,
  version: s.version,
  source: s.source,
  authorId: s.authorId,
  createdAt: new Date(s.createdAtMs).toISOString(),
  deleted: s.deleted,
});

type Params = { id: number; event: string };

export function scriptRoutes(app: FastifyInstance, world: ServiceClient<'world-state'>): void {
  const tags = ['scripts'];
  const path = '/api/v1/objects/:id/scripts/:event';
  const target = (request: FastifyRequest<{ Params: Params }>) => ({
    accessToken: bearerToken(request),
    objectId: request.params.id,
    event: request.params.event,
  });

  app.get<{ Params: Params; Querystring: { version?: number } }>(
    path,
    {
      schema: {
        tags,
        summary: "An object's script for an event: the current version, or ?version=N",
        security: bearer,
        params,
        querystring: { type: 'object', properties: { version: { type: 'integer', minimum: 1 } } },
        response: responses({ 200: scriptBody }, 400, 401, 403, 404),
      },
    },
    async (request) => body(await world.getObjectScript({ ...target(request), version: request.query.version ?? 0 })),
  );
  app.put<{ Params: Params; Body: { source: string } }>(
    path,
    {
      schema: {
        tags,
        summary: 'Save a new version of the script (builders, on what they own)',
        security: bearer,
        params,
        body: { type: 'object', required: ['source'], additionalProperties: false, properties: { source: { type: 'string', maxLength: 16384 } } },
        response: responses({ 200: scriptBody }, 400, 401, 403, 404),
      },
    },
    async (request) => body(await world.saveObjectScript({ ...target(request), source: request.body.source, rollbackToVersion: 0 })),
  );
  app.delete<{ Params: Params }>(
    path,
    { schema: { tags, summary: 'Delete the script (saved as a version that deletes it)', security: bearer, params, response: responses({ 200: scriptBody }, 401, 403, 404) } },
    async (request) => body(await world.deleteObjectScript({ ...target(request), version: 0 })),
  );
  app.get<{ Params: Params }>(
    `${path}/versions`,
    {
      schema: {
        tags,
        summary: 'Every version of the script, oldest first',
        security: bearer,
        params,
        response: responses({ 200: { type: 'object', properties: { versions: { type: 'array', items: scriptBody } } } }, 401, 403, 404),
      },
    },
    async (request) => ({ versions: (await world.listObjectScriptVersions({ ...target(request), version: 0 })).versions.map(body) }),
  );
  app.post<{ Params: Params; Body: { version: number } }>(
    `${path}/rollback`,
    {
      schema: {
        tags,
        summary: "Save an old version's source again as the newest",
        security: bearer,
        params,
        body: { type: 'object', required: ['version'], additionalProperties: false, properties: { version: { type: 'integer', minimum: 1 } } },
        response: responses({ 200: scriptBody }, 400, 401, 403, 404, 412),
      },
    },
    async (request) => body(await world.saveObjectScript({ ...target(request), source: '', rollbackToVersion: request.body.version })),
  );
}
