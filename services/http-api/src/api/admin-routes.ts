// REST for admins: accounts, roles, bans. auth-service checks that the caller is an admin.
import { responses } from '@loom/runtime';
import { roles } from '@loom/world';
import type { FastifyInstance } from 'fastify';
import type { ServiceClient } from '@loom/runtime';
import { bearerToken, publicUser } from './auth-routes.ts';
import { bearer, userBody } from './schemas.ts';

const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;

export function adminRoutes(app: FastifyInstance, auth: ServiceClient<'auth-service'>): void {
  const tags = ['admin'];
  app.get<{ Querystring: { after?: number; limit?: number } }>(
    '/api/v1/admin/users',
    {
      schema: {
        tags,
        summary: 'Page through the accounts',
        security: bearer,
        querystring: { type: 'object', properties: { after: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1, maximum: 500 } } },
        response: responses({ 200: { type: 'object', properties: { users: { type: 'array', items: userBody }, nextAfter: { type: 'integer' } } } }, 401, 403),
      },
    },
    async (request) => {
      const page = await auth.listUsers({ accessToken: bearerToken(request), afterId: request.query.after ?? 0, limit: request.query.limit ?? 100 });
      return { users: page.users.map(publicUser), nextAfter: page.nextAfterId };
    },
  );
  app.put<{ Params: { id: number }; Body: { role: string } }>(
    '/api/v1/admin/users/:id/role',
    {
      schema: {
        tags,
        summary: "Set an account's role; it takes effect on the account's next request",
        security: bearer,
        params: idParam,
        body: { type: 'object', required: ['role'], additionalProperties: false, properties: { role: { type: 'string', enum: roles } } },
        response: responses({ 200: userBody }, 400, 401, 403, 404),
      },
    },
    async (request) => publicUser(await auth.setRole({ accessToken: bearerToken(request), userId: request.params.id, role: request.body.role })),
  );
  for (const [verb, banned] of [['ban', true], ['unban', false]] as const) {
    app.post<{ Params: { id: number } }>(
      `/api/v1/admin/users/:id/${verb}`,
      { schema: { tags, summary: banned ? 'Ban an account: its sessions end at once' : 'Lift a ban', security: bearer, params: idParam, response: responses({ 200: userBody }, 400, 401, 403, 404) } },
      async (request) => publicUser(await auth.setBanned({ accessToken: bearerToken(request), userId: request.params.id, banned })),
    );
  }
}
