// Every HTTP error leaves Loom as JSON `{ error: { code, message } }` with a stable code; internals stay in
// the log. One handler for http-api's routes and the asset routes (which register it again in their own
// plugin, so a standalone asset-service answers the same way).
import type { FastifyError, FastifyInstance } from 'fastify';
import { httpStatusOf, LoomError } from './transport/errors.ts';

/** Statuses only HTTP has, with their stable codes. */
export class HttpError extends Error {
  constructor(
    readonly status: 413 | 415 | 416,
    readonly code: 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'RANGE_NOT_SATISFIABLE',
    message: string,
  ) {
    super(message);
  }
}

const codeOfStatus: Record<number, string> = { 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 416: 'RANGE_NOT_SATISFIABLE' };

export function installJsonErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | LoomError | HttpError, request, reply) => {
    const send = (status: number, code: string, message: string) => reply.code(status).send({ error: { code, message } });
    const status = error instanceof HttpError ? error.status : 'statusCode' in error ? error.statusCode : undefined;
    // A body refused for its size may still be arriving: closing spares reading the rest of it.
    if (status === 413) reply.header('connection', 'close');
    if (error instanceof HttpError) return send(error.status, error.code, error.message);
    if (error instanceof LoomError && error.code !== 'INTERNAL') return send(httpStatusOf[error.code], error.code, error.message);
    if ('validation' in error && error.validation) return send(400, 'INVALID_ARGUMENT', error.message);
    if (status && status < 500) return send(status, codeOfStatus[status] ?? 'BAD_REQUEST', error.message);
    request.log.error({ err: error }, 'unhandled error');
    return send(500, 'INTERNAL', 'internal error');
  });
}

export function answerUnknownRoutes(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` } }));
}

/** The error body, for the OpenAPI documentation. */
export const errorBody = {
  type: 'object',
  properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } },
} as const;

/** A route's documented answers: the successes given, and the error statuses it may answer with. */
export function responses(ok: Record<number, unknown>, ...errors: number[]) {
  return { ...ok, ...Object.fromEntries(errors.map((code) => [code, errorBody])) };
}
