// Small HTTP helpers for the benchmark: raw GETs (no automatic decompression), waiting for a server, free ports.
import http from 'node:http';
import net from 'node:net';

/** GET that returns the status, headers and the body bytes exactly as sent (gzip stays gzip). */
export function getRaw(url, headers = {}, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** Polls `url` until it answers 200; fails early when `child` exits and after `timeoutMs`. */
export async function waitForHttp(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`process for ${url} exited (${child.signalCode ?? child.exitCode}) before it was ready:\n${child.output()}`);
    }
    try {
      const res = await getRaw(url, {}, 1000);
      if (res.status === 200) return;
      last = `status ${res.status}: ${res.body.toString().slice(0, 200)}`;
    } catch (err) {
      last = err.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (last: ${last}):\n${child.output()}`);
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
