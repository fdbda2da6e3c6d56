// REST for accounts: thin handlers over auth-service, which checks everything itself.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthResult, User } from '@loom/proto';
import { responses, type ServiceClient, UnauthenticatedError } from '@loom/runtime';
import { bearer, sessionBody, userBody } from './schemas.ts';

const credentials = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', maxLength: 64 },
    password: { type: 'string', maxLength: 1024 },
    email: { type: 'string', maxLength: 254 },
  },
} as const;

const refreshBody = { type: 'object', required: ['refreshToken'], additionalProperties: false, properties: { refreshToken: { type: 'string', maxLength: 256 } } } as const;

interface Credentials {
  username: string;
  password: string;
  email?: string;
}

export function publicUser(user: User | undefined) {
  return user && { id: user.id, username: user.username, email: user.email, role: user.role, banned: user.banned, createdAtMs: user.createdAtMs };
}

function session(result: AuthResult) {
  return { user: publicUser(result.user), accessToken: result.accessToken, refreshToken: result.refreshToken, expiresIn: result.expiresIn };
}

/** The access token of `Authorization: Bearer <token>`. */
export function bearerToken(request: FastifyRequest): string {
  const match = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '');
  if (!match) throw new UnauthenticatedError('send the access token as "Authorization: Bearer <token>"');
  return match[1]!;
}

export function authRoutes(app: FastifyInstance, auth: ServiceClient<'auth-service'>): void {
  const tags = ['auth'];
  app.post<{ Body: Credentials }>(
    '/api/v1/auth/register',
    { schema: { tags, summary: 'Create an account (the first one of a fresh world is its admin)', body: credentials, response: responses({ 201: sessionBody }, 400, 409, 429) } },
    async (request, reply) => {
      const { username, password, email = '' } = request.body;
      return reply.code(201).send(session(await auth.register({ username, password, email, clientAddress: request.ip })));
    },
  );
  app.post<{ Body: Credentials }>(
    '/api/v1/auth/login',
    { schema: { tags, summary: 'Log in: an access token and a refresh token', body: credentials, response: responses({ 200: sessionBody }, 400, 401, 403, 429) } },
    async (request) => {
      const { username, password } = request.body;
      return session(await auth.login({ username, password, clientAddress: request.ip }));
    },
  );
  app.post<{ Body: { refreshToken: string } }>(
    '/api/v1/auth/refresh',
    { schema: { tags, summary: 'Trade a refresh token for new tokens; reusing an old one ends its whole session family', body: refreshBody, response: responses({ 200: sessionBody }, 400, 401) } },
    async (request) => session(await auth.refresh({ refreshToken: request.body.refreshToken })),
  );
  app.post<{ Body: { refreshToken: string } }>(
    '/api/v1/auth/logout',
    { schema: { tags, summary: 'End the session: its refresh and access tokens stop working at once', body: refreshBody, response: responses({ 204: { type: 'null' } }, 400, 401) } },
    async (request, reply) => {
      await auth.revoke({ refreshToken: request.body.refreshToken });
      return reply.code(204).send();
    },
  );
  app.get(
    '/api/v1/auth/me',
    { schema: { tags, summary: 'The account behind the access token', security: bearer, response: responses({ 200: userBody }, 401) } },
    async (request) => publicUser(await auth.me({ accessToken: bearerToken(request) })),
  );
  app.post<{ Body: { currentPassword: string; newPassword: string } }>(
    '/api/v1/auth/password',
    {
      schema: {
        tags,
        summary: 'Change the password; every other session of the account ends',
        security: bearer,
        body: { type: 'object', required: ['currentPassword', 'newPassword'], additionalProperties: false, properties: { currentPassword: { type: 'string', maxLength: 1024 }, newPassword: { type: 'string', maxLength: 1024 } } },
        response: responses({ 200: { type: 'object', properties: { revokedSessions: { type: 'integer' } } } }, 400, 401),
      },
    },
    async (request) => auth.changePassword({ accessToken: bearerToken(request), ...request.body }),
  );
}
