// The Node.js floor: a bare node:http server sending the same gzip bytes and headers as KUS (run as a child).
// It shows how much of KUS's per-request cost is Node's HTTP stack itself and how much is KUS and Fastify.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForHttp } from './http.js';
import { onCpu } from './pin.js';

/**
 * Starts this file as a child serving `body` at /graph with `headers` (as KUS sent them, minus per-response ones),
 * with `execPath` (a node; default this one) on `cpu` (pinned when not null).
 */
export async function startNodeFloor({ children, parent, port, body, headers, execPath = process.execPath, cpu = null }) {
  const dir = fs.mkdtempSync(path.join(parent, 'node-http-'));
  const bodyFile = path.join(dir, 'graph.json.gz');
  fs.writeFileSync(bodyFile, body);
  const keep = ['content-type', 'vary', 'cache-control', 'etag', 'content-encoding'];
  const fixed = Object.fromEntries(keep.filter((k) => headers[k] !== undefined).map((k) => [k, headers[k]]));
  const pinned = onCpu(cpu, execPath, [fileURLToPath(import.meta.url), String(port), bodyFile, JSON.stringify(fixed)]);
  const child = children.start(pinned.command, pinned.args, { logFile: path.join(dir, 'log') });
  const url = `http://127.0.0.1:${port}/graph`;
  const stop = async () => {
    await children.stop(child);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(url, child, 10_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { child, url, stop };
}

function serve(port, bodyFile, headersJson) {
  const body = fs.readFileSync(bodyFile);
  const headers = { ...JSON.parse(headersJson), 'content-length': String(body.length) };
  const server = http.createServer((req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  });
  // Same keep-alive as Fastify's default, so connections are reused the same way.
  server.keepAliveTimeout = 72_000;
  server.listen(port, '127.0.0.1');
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) serve(Number(process.argv[2]), process.argv[3], process.argv[4]);
