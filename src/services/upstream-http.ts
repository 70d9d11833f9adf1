// GET from another update service (the graph to mirror, the primary a replica follows), POST to a primary (fleet reports) over node:http/https, with
// an optional extra CA; failures become KUS_ERR_UPSTREAM naming the URL.
import { readFileSync } from 'node:fs';
import { KusError, quote } from '../errors/index.js';
import { readBody, readSnippet, send, type Transport } from '../registry/http.js';

export interface UpstreamOptions {
  /** PEM file of CA certificates trusted besides the system ones (a private CA in front of the server). */
  caFile?: string | undefined;
  timeoutMs?: number;
  userAgent?: string;
}

export interface UpstreamAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Reads the CA file once; a missing file is a configuration error, not a network one. */
export function upstreamTransport(options: UpstreamOptions): Transport {
  let ca: string | undefined;
  if (options.caFile !== undefined) {
    try {
      ca = readFileSync(options.caFile, 'utf8');
    } catch (err) {
      throw new KusError('KUS_ERR_CONFIG', `CA file ${quote(options.caFile)} cannot be read: ${(err as Error).message}`, { file: options.caFile }, { cause: err });
    }
  }
  return { ca, timeoutMs: options.timeoutMs ?? 60_000, userAgent: options.userAgent ?? 'kylin-update-service' };
}

/**
 * One GET; resolves with status, headers and body (at most `limit` bytes) for any status the caller accepts,
 * else throws KUS_ERR_UPSTREAM quoting the URL and what went wrong.
 */
export async function upstreamGet(
  transport: Transport, url: URL, headers: Record<string, string>, accept: (status: number) => boolean, limit: number, signal?: AbortSignal,
): Promise<UpstreamAnswer> {
  let res;
  try {
    res = await send(transport, { method: 'GET', url, headers, ...(signal ? { signal } : {}) });
  } catch (err) {
    throw new KusError('KUS_ERR_UPSTREAM', `cannot reach ${quote(url.href)}: ${(err as Error).message}`, { url: url.href }, { cause: err });
  }
  const status = res.statusCode ?? 0;
  if (!accept(status)) {
    const snippet = (await readSnippet(res)).slice(0, 300).trim();
    throw new KusError('KUS_ERR_UPSTREAM', `${quote(url.href)} answered ${status}${snippet === '' ? '' : `: ${snippet}`}`, { url: url.href, status });
  }
  try {
    return { status, headers: res.headers, body: await readBody(res, limit) };
  } catch (err) {
    throw new KusError('KUS_ERR_UPSTREAM', `reading the answer of ${quote(url.href)} failed: ${(err as Error).message}`, { url: url.href }, { cause: err });
  }
}

/** One POST of a JSON body; resolves with the status and body (at most `limit` bytes) of any answer, throws KUS_ERR_UPSTREAM when none came. */
export async function upstreamPostJson(transport: Transport, url: URL, headers: Record<string, string>, body: unknown, limit: number): Promise<UpstreamAnswer> {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  try {
    const res = await send(transport, { method: 'POST', url, headers: { ...headers, 'content-type': 'application/json', 'content-length': String(bytes.length) }, body: bytes });
    return { status: res.statusCode ?? 0, headers: res.headers, body: await readBody(res, limit) };
  } catch (err) {
    throw new KusError('KUS_ERR_UPSTREAM', `cannot reach ${quote(url.href)}: ${(err as Error).message}`, { url: url.href }, { cause: err });
  }
}
