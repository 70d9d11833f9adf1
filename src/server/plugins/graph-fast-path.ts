// Answers GET/HEAD on the graph paths straight from node:http, before Fastify's routing and hooks; everything else
// (and anything unexpected) goes to Fastify. Why: the graph is benchmarked against nginx serving the same bytes, and
// Fastify's per-request machinery (request/reply objects, hooks, child logger) costs about as much CPU as the whole
// answer. The answer itself is the same answerGraph the Fastify route uses, so both paths agree byte for byte.
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
// Imported, not the global: on Node 20 the global `performance` is a lazy getter run on every access (measured in the
// CPU profile of a graph answer).
import { performance } from 'node:perf_hooks';
import type { FastifyServerFactory } from 'fastify';
import type { GraphCache } from '../../services/graph-cache.js';
import { answerGraph, type RecordPoll } from '../routes/public/graph-answer.js';
import type { GraphQueryMemo } from '../routes/public/graph-query-memo.js';
import { firstAccept } from '../routes/public/graph-request.js';
import type { RecordRequest } from './metrics.js';

export function graphFastPath(graphs: GraphCache, queries: GraphQueryMemo, paths: readonly string[], record: RecordRequest, recordPoll?: RecordPoll) {
  // Recording under the registered string (not the request's copy of it) reuses that string's hash in the counters.
  const routes = new Map(paths.map((p) => [p, p]));
  return (fallback: RequestListener): RequestListener =>
    (req: IncomingMessage, res: ServerResponse) => {
      const method = req.method;
      const url = req.url ?? '';
      const q = url.indexOf('?');
      const route = routes.get(q < 0 ? url : url.slice(0, q));
      if ((method !== 'GET' && method !== 'HEAD') || route === undefined) {
        fallback(req, res);
        return;
      }
      const started = performance.now();
      // One read of the `headers` getter, not one per header.
      const headers = req.headers;
      let answer;
      try {
        answer = answerGraph(graphs, queries, {
          query: q < 0 ? '' : url.slice(q + 1),
          accept: firstAccept(req),
          acceptEncoding: headers['accept-encoding'],
          ifNoneMatch: headers['if-none-match'],
          origin: headers.origin,
          userAgent: headers['user-agent'],
        }, recordPoll);
      } catch {
        // Not swallowed: Fastify runs the same answerGraph, hits the same error, logs it and answers 500.
        fallback(req, res);
        return;
      }
      if (answer.body !== undefined) answer.headers['content-length'] = String(answer.body.length);
      res.writeHead(answer.status, answer.headers);
      res.end(method === 'HEAD' ? undefined : answer.body);
      record(route, method, answer.status, (performance.now() - started) / 1000);
    };
}

function numberOption(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** PEM certificate chain and private key for native HTTPS (`kus serve --tls-cert/--tls-key`). */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

/** How long a client may take and how many may be connected at once (config/limits.ts). */
export interface ConnectionLimits {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  maxConnections: number;
}

export interface GraphServerOptions {
  graphs: GraphCache;
  queries: GraphQueryMemo;
  paths: readonly string[];
  record: RecordRequest;
  /** The fleet inventory's recorder (absent with `kus serve --no-fleet`). */
  recordPoll?: RecordPoll | undefined;
  limits: ConnectionLimits;
  tls?: TlsFiles | undefined;
}

/** Fastify's serverFactory: a node:http server (node:https with `tls`) whose listener tries the fast path first. */
export function graphServerFactory(options: GraphServerOptions): FastifyServerFactory {
  const { limits, tls } = options;
  const fastPath = graphFastPath(options.graphs, options.queries, options.paths, options.record, options.recordPoll);
  // Node enforces both timeouts by sweeping its connections at this interval (default 30 s, which would let a
  // dripping client outlive a short timeout by that much); the sweep is a walk over the open connections.
  const connectionsCheckingInterval = Math.max(100, Math.min(5000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 2)));
  return (handler, opts) => {
    const serverOptions = { connectionsCheckingInterval, requestTimeout: limits.requestTimeoutMs, headersTimeout: limits.headersTimeoutMs };
    const server = tls
      ? createHttpsServer({ cert: tls.cert, key: tls.key, ...serverOptions }, fastPath(handler))
      : createServer(serverOptions, fastPath(handler));
    // Fastify's own requestTimeout default (0) would switch Node's off: a body sent a byte every few seconds would hold
    // its connection forever. Over the cap, Node closes a new connection as soon as it is accepted.
    server.maxConnections = limits.maxConnections;
    // What Fastify sets on the servers it creates itself (it has filled in its defaults by now).
    const keepAlive = numberOption(opts.keepAliveTimeout);
    const connection = numberOption(opts.connectionTimeout);
    const perSocket = numberOption(opts.maxRequestsPerSocket);
    if (keepAlive !== undefined) server.keepAliveTimeout = keepAlive;
    if (connection !== undefined) server.setTimeout(connection);
    if (perSocket) server.maxRequestsPerSocket = perSocket;
    return server;
  };
}
