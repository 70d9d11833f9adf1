// The one logger type of the services: pino's Logger and Fastify's both fit, and tests pass plain objects.

/** The subset of a pino logger the services write to. */
export interface ServiceLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
