// One renderer for errors: KusError as {code, message}, the graph API's UpstreamError as {kind, value}; 404 empty.
import type { FastifyError, FastifyInstance } from 'fastify';
import { isKusError, UpstreamError } from '../../errors/index.js';
import { tooLargeError } from './too-large.js';

function statusOf(err: FastifyError): number {
  return typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((raw: FastifyError, request, reply) => {
    const err = tooLargeError(raw, request) ?? raw;
    if (err instanceof UpstreamError) {
      return reply.code(err.status).type('application/json').send(Buffer.from(JSON.stringify(err.toBody())));
    }
    if (isKusError(err)) {
      if (err.status >= 500) request.log.error({ err, reqId: request.id, url: request.url }, 'request failed');
      return reply.code(err.status).type('application/json').send(JSON.stringify({ code: err.code, message: err.message }));
    }
    const status = statusOf(err);
    if (status >= 500) {
      request.log.error({ err, reqId: request.id, url: request.url }, 'request failed');
      // The cause stays in the log; a client learns nothing about internals from the message.
      return reply.code(status).type('application/json').send(JSON.stringify({ code: 'KUS_ERR_INTERNAL', message: 'internal error' }));
    }
    // Framework errors (unparsable body, bad URL...) are the client's fault and keep their status.
    return reply.code(status).type('application/json').send(JSON.stringify({ code: 'KUS_ERR_BAD_REQUEST', message: err.message }));
  });

  // Upstream answers unknown paths with 404 and an empty body, not an error document.
  app.setNotFoundHandler((_request, reply) => reply.code(404).send());
}
