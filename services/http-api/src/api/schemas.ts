// JSON schemas shared by the routes: they validate input and document the API (OpenAPI).
import { roles } from '@loom/world';
export const userBody = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string', enum: roles },
    banned: { type: 'boolean' },
    createdAtMs: { type: 'integer' },
  },
} as const;

export const sessionBody = {
  type: 'object',
  properties: {
    user: userBody,
    accessToken: { type: 'string', description: 'JWT (EdDSA); send as `Authorization: Bearer <token>`' },
    refreshToken: { type: 'string', description: 'Opaque; single use: every refresh returns the next one' },
    expiresIn: { type: 'integer', description: 'Seconds until the access token expires' },
  },
} as const;

export const bearer = [{ bearerAuth: [] }];
