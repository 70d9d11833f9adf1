// Pino options for the server's logger: level from config, the Authorization header never written out.
export interface ServerLoggerOptions {
  level: string;
  redact: { paths: string[]; censor: string };
}

export function serverLoggerOptions(level: string): ServerLoggerOptions {
  return {
    level,
    // Admin routes carry a bearer token; whatever logs a request or its headers must not leak it.
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization'], censor: '[redacted]' },
  };
}
