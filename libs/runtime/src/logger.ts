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
