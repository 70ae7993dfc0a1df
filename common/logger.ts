// Structured JSON logs (pino), one child per component; auth tokens never reach a log line.
import pino, { type Logger } from 'pino';

export function createLogger(component: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { component }, redact: { paths: ['authToken', 'req.headers.authorization', '*.authToken'], censor: '[redacted]' } });
}

export type { Logger };
