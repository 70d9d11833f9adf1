// Prometheus metrics with one Registry per app (no global state): HTTP traffic, and the graph cache pulled at scrape.
import { isVariantKey } from '../../services/rollout-bodies.js';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { GraphCache } from '../../services/graph-cache.js';
import { BinnedHistogram, type BinnedSeries } from './binned-histogram.js';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

function registerGraphMetrics(registry: Registry, graphs: GraphCache): void {
  // The cache knows nothing of Prometheus; these read its counters when scraped.
  new Counter({
    name: 'kus_graph_builds_total',
    help: 'Successful graph rebuilds.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(graphs.stats().builds);
    },
  });
  new Counter({
    name: 'kus_graph_build_failures_total',
    help: 'Failed graph rebuilds (the previous graph kept being served).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(graphs.stats().failures);
    },
  });
  new Gauge({
    name: 'kus_graph_build_duration_seconds',
    help: 'Duration of the last graph rebuild (build and render of every channel and arch), successful or not.',
    registers: [registry],
    collect() {
      const ms = graphs.stats().lastDurationMs;
      if (ms !== null) this.set(ms / 1000);
    },
  });
  new Gauge({
    name: 'kus_graph_last_success_timestamp_seconds',
    help: 'Unix time of the last successful graph rebuild.',
    registers: [registry],
    collect() {
      const at = graphs.stats().lastSuccessAt;
      if (at) this.set(at.getTime() / 1000);
    },
  });
  new Gauge({
    name: 'kus_graph_ready',
    help: '1 once a graph was built, else 0.',
    registers: [registry],
    collect() {
      this.set(graphs.ready ? 1 : 0);
    },
  });
  new Gauge({
    name: 'kus_graph_releases',
    help: 'Concrete releases (nodes with a payload) in the served graph.',
    registers: [registry],
    collect() {
      this.set(graphs.stats().releases);
    },
  });
  new Gauge({
    name: 'kus_graph_channel_nodes',
    help: 'Nodes served for one channel and architecture.',
    labelNames: ['channel', 'arch'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [arch, byChannel] of graphs.snapshot?.bodies ?? []) {
        for (const [channel, body] of byChannel) if (body.status === 200 && !isVariantKey(channel)) this.set({ channel, arch }, body.nodes);
      }
    },
  });
}

/** Requests of one (route, method, status): counted, and how many of them prom-client has been told about. */
interface RequestCount {
  labels: { route: string; method: string; status: string };
  n: number;
  flushed: number;
}

/** Counts one answered request: route pattern (or "(unmatched)"), method, status, seconds spent. */
export type RecordRequest = (route: string, method: string, status: number, seconds: number) => void;

export interface AppMetrics {
  registry: Registry;
  record: RecordRequest;
  /** Failed bearer-token attempts on the admin API, by reason (plugins/auth-failures.ts). */
  authFailures: Counter<'reason'>;
}

/** A registry of its own (no global state, so several apps can live in one process) and the request recorder. */
export function createMetrics(graphs: GraphCache): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Request counts are plain numbers on the hot path and reach prom-client only when scraped: its label
  // validation and hashing on every inc() would cost a measurable share of a graph answer.
  // route → method → status: keyed by the strings and number as given, so no key string is built per request (Node's
  // method strings and the registered routes are the same objects every time, their hashes computed once).
  const counts = new Map<string, Map<string, Map<number, RequestCount>>>();
  new Counter({
    name: 'kus_http_requests_total',
    help: 'HTTP requests by route pattern, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
    collect() {
      for (const byMethod of counts.values()) {
        for (const byStatus of byMethod.values()) {
          for (const c of byStatus.values()) {
            if (c.n > c.flushed) this.inc(c.labels, c.n - c.flushed);
            c.flushed = c.n;
          }
        }
      }
    },
  });
  const latency = new BinnedHistogram({
    name: 'kus_http_request_duration_seconds',
    help: 'Time from request to response by route pattern.',
    labelNames: ['route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  registerGraphMetrics(registry, graphs);

  const timers = new Map<string, BinnedSeries>();
  const record: RecordRequest = (route, method, status, seconds) => {
    let byMethod = counts.get(route);
    if (!byMethod) counts.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    const count = byStatus.get(status);
    if (count) count.n++;
    else byStatus.set(status, { labels: { route, method, status: String(status) }, n: 1, flushed: 0 });
    let timer = timers.get(route);
    if (!timer) {
      timer = latency.binned(route, { route });
      timers.set(route, timer);
    }
    timer.observe(seconds);
  };
  const authFailures = new Counter({
    name: 'kus_admin_auth_failures_total',
    help: 'Admin requests refused for their bearer token: invalid_token (unknown or revoked), rate_limited (429: too many failures from the address).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  return { registry, record, authFailures };
}

/** Records every request Fastify answers (the graph fast path records its own). */
export function installMetrics(app: FastifyInstance, metrics: AppMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    // Unmatched URLs share one label so that scanners cannot blow up the series count.
    metrics.record(request.routeOptions.url ?? '(unmatched)', request.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
