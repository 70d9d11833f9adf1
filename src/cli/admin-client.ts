// Typed HTTP client for a running server's admin API (/api/admin/v1): bearer token, JSON, KUS errors mapped back.
import { errorCodes, KusError, quote, type ErrorCode } from '../errors/index.js';

/** What every admin route answers on success. */
export interface AdminResponse<T> {
  value: T;
  warnings: string[];
  /** Sent by write routes that can be no-ops (the same release again). */
  changed?: boolean;
}

export interface AdminClientOptions {
  /** Base URL of the server, e.g. http://kus.example:8080 (a path prefix behind a proxy is kept). */
  server: string;
  token: string;
  /** How the server was named (`--server` or `KUS_SERVER`), for messages. */
  serverFrom?: string;
  /** How the token was given (`--token` or `KUS_TOKEN`), for messages. */
  tokenFrom?: string;
  /** Per-request limit; ingest waits on the registry, so it is generous. Default 120 s. */
  timeoutMs?: number;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestOptions {
  query?: Record<string, string | boolean | number | undefined>;
  body?: unknown;
}

export const ADMIN_PREFIX = '/api/admin/v1';
const DEFAULT_TIMEOUT_MS = 120_000;

/** A path segment for a version, channel or file name: `4.9.15+arm64` must not reach the server as a space. */
export const segment = (value: string): string => encodeURIComponent(value);

function parseServer(server: string, from: string): URL {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new KusError('KUS_ERR_USAGE', `${from} ${quote(server)} is not a URL; pass the server's base URL, e.g. http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new KusError('KUS_ERR_USAGE', `${from} ${quote(server)} is not an http:// or https:// URL`);
  }
  if (url.search || url.hash) throw new KusError('KUS_ERR_USAGE', `${from} ${quote(server)} must not carry a query or fragment`);
  return url;
}

/** The most specific reason Node's fetch gives for a failed connection (ECONNREFUSED, ENOTFOUND, a TLS error...). */
function networkReason(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'no answer in time';
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export class AdminClient {
  /** Base URL without a trailing slash, as used in messages. */
  readonly server: string;
  private readonly base: URL;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly serverFrom: string;
  private readonly tokenFrom: string;

  constructor(options: AdminClientOptions) {
    this.serverFrom = options.serverFrom ?? '--server';
    this.tokenFrom = options.tokenFrom ?? '--token';
    this.base = parseServer(options.server, this.serverFrom);
    this.server = this.base.href.replace(/\/+$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get<T>(path: string, query?: RequestOptions['query']): Promise<AdminResponse<T>> {
    return this.request<T>('GET', path, query ? { query } : {});
  }

  post<T>(path: string, body: unknown): Promise<AdminResponse<T>> {
    return this.request<T>('POST', path, { body });
  }

  put<T>(path: string, body: unknown): Promise<AdminResponse<T>> {
    return this.request<T>('PUT', path, { body });
  }

  delete<T>(path: string, query?: RequestOptions['query']): Promise<AdminResponse<T>> {
    return this.request<T>('DELETE', path, query ? { query } : {});
  }

  /** `path` is below the admin prefix and already has its segments encoded (see `segment`). */
  async request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<AdminResponse<T>> {
    const url = new URL(`${this.base.pathname.replace(/\/+$/, '')}${ADMIN_PREFIX}${path}`, this.base);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${this.token}` };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        headers,
        redirect: 'error',
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
      text = await res.text();
    } catch (err) {
      throw new KusError(
        'KUS_ERR_SERVER_UNREACHABLE',
        `cannot reach the KUS server at ${quote(this.server)} (${method} ${url.pathname}): ${networkReason(err)}; ` +
          `check ${this.serverFrom === '--server' ? '--server / KUS_SERVER' : `${this.serverFrom} (or pass --db FILE for a local store)`} and that "kus serve" runs there`,
        { server: this.server },
        { cause: err },
      );
    }
    const body = text === '' ? undefined : parseJson(text);
    if (res.ok) return this.success<T>(method, url, res, text, body);
    throw this.failure(method, url, res, text, body);
  }

  private success<T>(method: HttpMethod, url: URL, res: Response, text: string, body: unknown): AdminResponse<T> {
    if (res.status === 204) return { value: null as T, warnings: [] };
    if (!isRecord(body) || !('value' in body)) {
      throw new KusError('KUS_ERR_SERVER_RESPONSE', `${method} ${url.href} answered ${res.status} without a {value, warnings} body: ${quote(text, 120)}`);
    }
    const warnings = Array.isArray(body.warnings) ? body.warnings.map((w) => (typeof w === 'string' ? w : JSON.stringify(w))) : [];
    return { value: body.value as T, warnings, ...(typeof body.changed === 'boolean' ? { changed: body.changed } : {}) };
  }

  private failure(method: HttpMethod, url: URL, res: Response, text: string, body: unknown): KusError {
    if (isRecord(body) && typeof body.code === 'string' && typeof body.message === 'string') {
      if (Object.hasOwn(errorCodes, body.code)) {
        const details = isRecord(body.details) ? body.details : undefined;
        // A token nobody typed (an exported KUS_TOKEN, perhaps empty or stale) is the first thing to suspect.
        const from = body.code === 'KUS_ERR_UNAUTHORIZED' && this.tokenFrom !== '--token' ? ` (the token came from ${this.tokenFrom})` : '';
        return new KusError(body.code as ErrorCode, `${body.message}${from}`, details);
      }
      return new KusError('KUS_ERR_SERVER_RESPONSE', `the server answered ${res.status} with an error code this CLI does not know: ${body.code}: ${body.message}`);
    }
    const hint = res.status === 404 ? '; is --server the base URL of a KUS server with the admin API?' : '';
    return new KusError(
      'KUS_ERR_SERVER_RESPONSE',
      `${method} ${url.href} answered ${res.status} ${res.statusText} without a KUS error body${hint}: ${quote(text, 120)}`,
    );
  }
}
