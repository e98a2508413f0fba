import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line, whatever the level. */
const REDACTED_PATHS = [
  'password',
  '*.password',
  'user_pass',
  '*.user_pass',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'aesKey',
  '*.aesKey',
  'hmacKey',
  '*.hmacKey',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'connectionParams',
];

export function createLogger(level: string, name = 'remote-users-sync'): Logger {
  return pino({
    name,
    level,
    redact: { paths: REDACTED_PATHS, censor: '** HIDDEN **' },
  });
}
