// GET from another update service (the graph to mirror, the primary a replica follows) over node:http/https, with
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
export async function upstreamGet(transport: Transport, url: URL, headers: Record<string, string>, accept: (status: number) => boolean, limit: number): Promise<UpstreamAnswer> {
  let res;
  try {
    res = await send(transport, { method: 'GET', url, headers });
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
