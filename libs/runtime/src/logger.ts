// Structured JSON logs (pino) carrying the service name and, inside a traced call, the trace id.
import { trace } from '@opentelemetry/api';
import { pino, type Logger } from 'pino';

export type { Logger };

/** Fields that must never reach a log line, wherever they appear. */
const redact = ['password', '*.password', 'token', '*.token', 'access_token', '*.accessToken', '*.refreshToken', 'authorization', '*.authorization', 'req.headers.authorization', 'req.headers.cookie'];

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service },
    redact: { paths: redact, censor: '[redacted]' },
    mixin() {
      const span = trace.getActiveSpan()?.spanContext();
      return span && span.traceId !== '00000000000000000000000000000000'
        ? { trace_id: span.traceId, span_id: span.spanId }
        : {};
    },
  });
}

/** A logger that writes nothing, for tests and adapters used without one. */
export const silentLogger: Logger = pino({ level: 'silent' });

export interface RateLimitOptions {
  /** Lines written per window; the rest are counted. Default 10. */
  lines?: number;
  /** Default 10 s. */
  windowMs?: number;
}

/** A log call for things outside our control (a client's bad bytes, an unreachable server). */
export type WarnLine = (fields: Record<string, unknown>, message: string) => void;

/**
 * Warn lines for errors others cause: the error's message without its stack (the stack only shows our own
 * parser), at most `lines` per window, then one line saying how many were left out, so that a flood of bad
 * input cannot flood the log.
 */
export function rateLimitedWarn(logger: Pick<Logger, 'warn'>, { lines = 10, windowMs = 10_000 }: RateLimitOptions = {}): WarnLine {
  let windowStart = -Infinity;
  let written = 0;
  let suppressed = 0;
  let report: NodeJS.Timeout | undefined;
  const endWindow = () => {
    report = undefined;
    logger.warn({ suppressed, windowMs }, `left out ${suppressed} similar warning${suppressed === 1 ? '' : 's'}`);
    suppressed = 0;
  };
  return (fields, message) => {
    const now = Date.now();
    if (now - windowStart >= windowMs && !report) {
      windowStart = now;
      written = 0;
    }
    if (written < lines) {
      written++;
      const { err, ...rest } = fields;
      logger.warn(err instanceof Error ? { ...rest, error: err.message, ...('code' in err ? { code: err.code } : {}) } : fields, message);
      return;
    }
    suppressed++;
    report ??= setTimeout(endWindow, windowStart + windowMs - now).unref();
  };
}

/**
 * The errorHandler for @fastify/websocket: a malformed frame is the client's doing, so it closes that socket
 * with one short warn line, not an error with our stack, and a flood of them stays a few lines.
 */
export function webSocketClientErrors(logger: Pick<Logger, 'warn'>): (error: Error, socket: { terminate(): void }, request: { url: string; ip: string }) => void {
  const warn = rateLimitedWarn(logger);
  return (error, socket, request) => {
    warn({ err: error, path: request.url, ip: request.ip }, 'closed a WebSocket after a client error');
    socket.terminate();
  };
}
