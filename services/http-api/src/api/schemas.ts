// JSON schemas shared by the routes: they validate input and document the API (OpenAPI).
export const errorBody = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } },
} as const;

export const userBody = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string', enum: ['player', 'builder', 'admin'] },
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

/** The errors every route may answer with, for the documentation. */
export function responses(ok: Record<number, unknown>, ...errors: number[]) {
  return { ...ok, ...Object.fromEntries(errors.map((code) => [code, errorBody])) };
}
