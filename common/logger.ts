// Structured JSON logs (pino), one child per component; auth tokens and full phone numbers never
// reach a log line (redact paths for known fields, then every serialized line is scrubbed).
import pino, { type DestinationStream, type Logger } from 'pino';
import { redactLogLine } from './log-redaction';

/**
 * @param destination where the lines go (stdout when unset); tests pass a stream that keeps them
 * @param secrets strings that must never be written (the auth token), replaced by `[redacted]`
 */
export function createLogger(
  component: string,
  level = process.env.LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
  secrets: readonly string[] = [],
): Logger {
  const options = {
    level,
    base: { component },
    redact: { paths: ['authToken', 'req.headers.authorization', '*.authToken'], censor: '[redacted]' },
    hooks: { streamWrite: (line: string) => redactLogLine(line, secrets) },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { DestinationStream, Logger };
