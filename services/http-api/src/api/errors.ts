// Every error leaves the API as JSON with a stable `code`; internals stay in the log.
import type { FastifyError, FastifyInstance } from 'fastify';
import { httpStatusOf, LoomError } from '@loom/runtime';

export function installErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` } }));
  app.setErrorHandler((error: FastifyError | LoomError, request, reply) => {
    if (error instanceof LoomError) return reply.code(httpStatusOf[error.code]).send({ error: { code: error.code, message: error.message } });
    if ('validation' in error && error.validation) return reply.code(400).send({ error: { code: 'INVALID_ARGUMENT', message: error.message } });
    if ('statusCode' in error && error.statusCode && error.statusCode < 500) {
      const code = error.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : error.statusCode === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
      return reply.code(error.statusCode).send({ error: { code, message: error.message } });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
  });
}
