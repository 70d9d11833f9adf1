// Where `kus path`, `kus explain` and `kus doctor` get their answers: the public explorer API of a running server
// (--server; no token needed), or the same GraphExplorer run on a local store (--db), built the way `kus serve` does.
import { DEFAULT_DB_FILE, openLocalExplorer } from '../compose/index.js';
import { errorCodes, isUpstreamError, KusError, quote, type ErrorCode } from '../errors/index.js';
import type { ClusterIdentity, PathAnswer } from '../graph/index.js';
import type { ExplainAnswer } from '../services/graph-explorer.js';
import { stringFlag, type FlagValues } from './command.js';

export interface ExplorerSource {
  readonly where: string;
  path(query: { from: string; to: string; channel: string; arch: string }): Promise<PathAnswer>;
  explain(cluster: ClusterIdentity): Promise<ExplainAnswer>;
  /** Signature N (from 1) of a digest as the signature store serves it; undefined when there is none. */
  signature(digest: string, index: number): Promise<Uint8Array | undefined>;
  close(): void;
}

function localSource(db: string): ExplorerSource {
  const { explorer, signature, close } = openLocalExplorer(db);
  return {
    where: `store ${quote(db)}`,
    path: async (query) => {
      try {
        return explorer.path(query);
      } catch (err) {
        // What the public endpoint answers as {kind, value}, said the way --server says it.
        if (!isUpstreamError(err)) throw err;
        const body = err.toBody();
        throw new KusError('KUS_ERR_BAD_REQUEST', `${body.kind}: ${body.value}`);
      }
    },
    explain: async (cluster) => explorer.explain(cluster),
    signature: async (digest, index) => signature(digest, index),
    close,
  };
}

async function getJson<T>(base: URL, path: string, params: Record<string, string | undefined>): Promise<T> {
  const url = new URL(`${base.pathname.replace(/\/$/, '')}${path}`, base);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  const res = await fetchOrExplain(url);
  const text = await res.text();
  if (res.status !== 200) {
    let body: { code?: string; message?: string; kind?: string; value?: string } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      // not JSON
    }
    if (res.status === 404 && text === '') {
      throw new KusError('KUS_ERR_NOT_FOUND', `${base.origin} has no ${path}: is it a KUS server of this version?`);
    }
    if (body.code !== undefined && body.code in errorCodes) throw new KusError(body.code as ErrorCode, body.message ?? text);
    if (body.kind !== undefined) throw new KusError('KUS_ERR_BAD_REQUEST', `${body.kind}: ${body.value ?? ''}`);
    throw new KusError('KUS_ERR_SERVER_RESPONSE', `${url.pathname} answered ${res.status}: ${quote(text, 120)}`);
  }
  return JSON.parse(text) as T;
}

async function fetchOrExplain(url: URL): Promise<Response> {
  try {
    return await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new KusError('KUS_ERR_SERVER_UNREACHABLE', `cannot reach the KUS server at ${quote(url.origin)}: ${cause}; check --server / KUS_SERVER`, { server: url.origin });
  }
}

function remoteSource(server: string): ExplorerSource {
  let base: URL;
  try {
    base = new URL(server);
  } catch {
    throw new KusError('KUS_ERR_USAGE', `--server ${quote(server)} is not a URL; pass the server's base URL, e.g. http://127.0.0.1:8080`);
  }
  return {
    where: `server ${quote(server)}`,
    path: (query) => getJson<PathAnswer>(base, '/api/kus/v1/path', query),
    explain: (cluster) => getJson<ExplainAnswer>(base, '/api/kus/v1/explain', { ...cluster }),
    signature: async (digest, index) => {
      const url = new URL(`${base.pathname.replace(/\/$/, '')}/api/upgrades_info/signatures/${digest.replace(':', '=')}/signature-${index}`, base);
      const res = await fetchOrExplain(url);
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw new KusError('KUS_ERR_SERVER_RESPONSE', `${url.pathname} answered ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    },
    close: () => undefined,
  };
}

/** --server (or KUS_SERVER) asks that server; otherwise the local store at --db (or KUS_DB, default ./data/kus.db). */
export function openExplorerSource(flags: FlagValues): ExplorerSource {
  const server = stringFlag(flags, 'server');
  if (server !== undefined) return remoteSource(server);
  return localSource(stringFlag(flags, 'db') ?? DEFAULT_DB_FILE);
}

/** The flags of the read-only explorer commands: a store or a server, no token needed (the endpoints are public). */
export const explorerFlags = {
  db: { type: 'string', valueName: 'FILE', env: 'KUS_DB', description: 'read this local SQLite store (default ./data/kus.db)' },
  server: { type: 'string', valueName: 'URL', env: 'KUS_SERVER', description: 'ask a running KUS server (its public /api/kus/v1 endpoints) instead' },
} as const;
