// JSON schemas of the asset routes: they validate input and document the API (OpenAPI).
export const assetBody = {
  type: 'object',
  properties: {
    hash: { type: 'string', description: 'sha256 of the content, lowercase hex' },
    name: { type: 'string' },
    contentType: { type: 'string' },
    size: { type: 'integer' },
    url: { type: 'string', description: 'Where the content is served, forever: /assets/<hash>' },
  },
} as const;

export const hashParams = { type: 'object', required: ['hash'], properties: { hash: { type: 'string', pattern: '^[0-9a-f]{64}$' } } } as const;
