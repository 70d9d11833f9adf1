// One HTTP exchange over node:http/https (custom CA, plain HTTP, idle timeout); no redirects, no auth: see client.ts.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';

export interface Transport {
  /** Extra trusted CA certificates (PEM), added to Node's built-in roots. */
  readonly ca: string | undefined;
  /** Idle time after which a request is abandoned. */
  readonly timeoutMs: number;
  readonly userAgent: string;
}

export interface Exchange {
  method: 'GET' | 'HEAD' | 'POST';
  url: URL;
  headers: Record<string, string>;
  /** Sent as the request body (POST). */
  body?: Buffer;
  /** Abandons the request (a replica stopping while its long poll is held). */
  signal?: AbortSignal;
}

/** Sends the request and resolves with the response head; the body is left to the caller to read or discard. */
export function send(transport: Transport, ex: Exchange): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const headers = { 'user-agent': transport.userAgent, ...ex.headers };
    // agent: false gives one connection per request, so no idle socket outlives a scrape.
    const options = { method: ex.method, headers, agent: false as const, ...(ex.signal ? { signal: ex.signal } : {}) };
    const req = ex.url.protocol === 'https:'
      ? https.request(ex.url, { ...options, ...(transport.ca ? { ca: [...rootCertificates, transport.ca] } : {}) }, resolve)
      : http.request(ex.url, options, resolve);
    req.setTimeout(transport.timeoutMs, () => req.destroy(new Error(`no answer within ${transport.timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end(ex.body);
  });
}

/** Reads a whole body, refusing more than `limit` bytes (manifests and configs are small; a huge one is an error). */
export async function readBody(res: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      res.destroy();
      throw new Error(`body larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads a short body for an error message, never failing. */
export async function readSnippet(res: IncomingMessage): Promise<string> {
  try {
    return (await readBody(res, 64 * 1024)).toString('utf8');
  } catch {
    // The snippet only decorates an error that is already being reported.
    return '';
  }
}

/** Throws away a body so that the connection closes cleanly. */
export function discard(res: IncomingMessage): void {
  res.resume();
}
