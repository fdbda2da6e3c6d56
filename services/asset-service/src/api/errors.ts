// Asset routes answer errors as the rest of the API does: JSON `{ error: { code, message } }`, a stable code.
// They keep their own handler (their routes live in their own plugin): the same on port 8080 beside
// http-api and on a standalone asset-service's port, where http-api's handler is absent.
import type { FastifyError, FastifyInstance } from 'fastify';
import { httpStatusOf, LoomError } from '@loom/runtime';

/** Statuses only HTTP has, with the codes http-api gives the same statuses. */
export class HttpError extends Error {
  constructor(
    readonly status: 413 | 415 | 416,
    readonly code: 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'RANGE_NOT_SATISFIABLE',
    message: string,
  ) {
    super(message);
  }
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | LoomError | HttpError, request, reply) => {
    const send = (status: number, code: string, message: string) => reply.code(status).send({ error: { code, message } });
    // A body refused for its size may still be arriving: closing spares reading the rest of it.
    if (error instanceof HttpError && error.status === 413) reply.header('connection', 'close');
    if (error instanceof HttpError) return send(error.status, error.code, error.message);
    if (error instanceof LoomError && error.code !== 'INTERNAL') return send(httpStatusOf[error.code], error.code, error.message);
    if ('validation' in error && error.validation) return send(400, 'INVALID_ARGUMENT', error.message);
    if ('statusCode' in error && error.statusCode === 415) return send(415, 'UNSUPPORTED_MEDIA_TYPE', error.message);
    if ('statusCode' in error && error.statusCode && error.statusCode < 500) return send(error.statusCode, 'BAD_REQUEST', error.message);
    request.log.error({ err: error }, 'asset request failed');
    return send(500, 'INTERNAL', 'internal error');
  });
}
