// An app as `kus serve` composes it (store file in a temp dir, graph cache, Publisher, Tokens, admin API) for inject.
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { ServerLimits } from '../../src/config/index.js';
import { buildApp } from '../../src/server/app.js';
import { GraphCache } from '../../src/services/graph-cache.js';
import { GraphExplorer, servedGraphsOf } from '../../src/services/graph-explorer.js';
import { Publisher } from '../../src/services/publisher.js';
import { Tokens } from '../../src/services/tokens.js';
import { openStore, type Store } from '../../src/store/index.js';
import { repoRoot } from './shared-fixtures.js';
import { tempTree } from './temp-tree.js';

export const ADMIN = '/api/admin/v1';
export const silentLogger = { info() {}, warn() {}, error() {} };

export interface AdminApp {
  app: FastifyInstance;
  store: Store;
  cache: GraphCache;
  publisher: Publisher;
  tokens: Tokens;
  /** A valid admin token (named "tester"). */
  token: string;
  /** inject with the bearer token. */
  call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown): Promise<LightMyRequestResponse>;
  /** The served graph of one channel and arch, parsed. */
  graph(channel: string, arch?: string): Promise<{ nodes: Array<{ version: string; payload: string; metadata: Record<string, string> }>; edges: Array<[number, number]>; conditionalEdges: unknown[] }>;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function adminApp(t: Teardown, limits?: Partial<ServerLimits>): Promise<AdminApp> {
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  const cache = new GraphCache({ load: () => store.loadGraphInput(), logger: silentLogger });
  cache.rebuild();
  const publisher = new Publisher({ store, rebuild: () => cache.rebuild() });
  const tokens = new Tokens({ store });
  const explorer = new GraphExplorer({ served: servedGraphsOf(cache), edges: () => publisher.listEdges() });
  const app = buildApp({ graphs: cache, logLevel: 'silent', admin: { publisher, tokens }, explorer, consoleDir: path.join(repoRoot, 'dist', 'web'), ...(limits ? { limits } : {}) });
  t.teardown(async () => {
    await app.close();
    store.close();
  });
  await app.ready();
  const { token } = tokens.create({ name: 'setup' }, 'tester');
  const call: AdminApp['call'] = (method, url, body) =>
    app.inject({
      method,
      url: `${ADMIN}${url}`,
      // A string body is sent as (possibly broken) JSON text.
      headers: { authorization: `Bearer ${token}`, ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}) },
      ...(body === undefined ? {} : { payload: body as object }),
    });
  const graph: AdminApp['graph'] = async (channel, arch = 'amd64') => {
    const res = await app.inject({ url: `/api/upgrades_info/v1/graph?channel=${channel}&arch=${arch}`, headers: { accept: 'application/json' } });
    if (res.statusCode !== 200) throw new Error(`graph ${channel}/${arch}: ${res.statusCode} ${res.body}`);
    return JSON.parse(res.body) as Awaited<ReturnType<AdminApp['graph']>>;
  };
  return { app, store, cache, publisher, tokens, token, call, graph };
}

/** A digest made from a small number, and a payload by that digest. */
export const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
export const payload = (n: number): string => `registry.example:5000/kylin/release@${digest(n)}`;
