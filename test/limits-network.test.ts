// The server's limits over real sockets on 127.0.0.1: a client dripping its body or its headers is disconnected by
// the request/headers timeouts, and connections over the cap are closed at accept (small values, set for the test).
import t from 'tap';
import net from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServerLimits } from '../src/config/index.js';
import { buildApp } from '../src/server/app.js';
import { GraphCache } from '../src/services/graph-cache.js';
import { Publisher } from '../src/services/publisher.js';
import { Tokens } from '../src/services/tokens.js';
import { openStore } from '../src/store/index.js';
import { silentLogger } from './helpers/admin-app.js';
import { tempTree } from './helpers/temp-tree.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

async function listening(t: Teardown, limits: Partial<ServerLimits>): Promise<{ app: FastifyInstance; port: number; token: string }> {
  const store = openStore(path.join(tempTree(t), 'kus.db'));
  const cache = new GraphCache({ load: () => store.loadGraphInput(), logger: silentLogger });
  cache.rebuild();
  const tokens = new Tokens({ store });
  const app = buildApp({ graphs: cache, logLevel: 'silent', admin: { publisher: new Publisher({ store, rebuild: () => cache.rebuild() }), tokens }, limits });
  t.teardown(async () => {
    await app.close();
    store.close();
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { token } = tokens.create({ name: 'setup' }, 'tester');
  return { app, port: (app.server.address() as net.AddressInfo).port, token };
}

/** A raw connection: what the server sent, and when it closed (ms after connecting; null while open). */
function connect(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port });
  const started = Date.now();
  const state = { received: '', closedAfterMs: null as number | null };
  socket.on('data', (c: Buffer) => (state.received += c.toString()));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => {
    state.closedAfterMs = Date.now() - started;
    resolve();
  }));
  const opened = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, state, closed, opened };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes `text` a character every `everyMs` until done or the socket closes; resolves with the characters written. */
async function drip(socket: net.Socket, text: string, everyMs: number): Promise<number> {
  let sent = 0;
  for (const ch of text) {
    if (socket.destroyed || socket.writableEnded) break;
    socket.write(ch);
    sent++;
    await sleep(everyMs);
  }
  return sent;
}

t.test('a body sent a byte at a time is cut off by the request timeout (408), as is a dripping header', async (t) => {
  const { port, token } = await listening(t, { requestTimeoutMs: 1500, headersTimeoutMs: 1000 });
  const body = JSON.stringify({ name: 'stable-4.99' });
  const slowBody = connect(port);
  await slowBody.opened;
  slowBody.socket.write(`POST /api/admin/v1/channels HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
  const slowHeaders = connect(port);
  await slowHeaders.opened;
  // Both drip for far longer than the timeouts allow (one byte per 300 ms: about 6 s for the body).
  const [bodyBytes, headerBytes] = await Promise.all([
    drip(slowBody.socket, body, 300),
    drip(slowHeaders.socket, 'GET /api/upgrades_info/graph?channel=stable-4.9 HTTP/1.1\r\nHost: x\r\n\r\n', 300),
  ]);
  await Promise.all([slowBody.closed, slowHeaders.closed]);
  t.ok(bodyBytes < body.length, `the body was cut off after ${bodyBytes} of ${body.length} bytes (${slowBody.state.closedAfterMs} ms; timeout 1.5 s)`);
  t.match(slowBody.state.received, /^HTTP\/1\.1 408 /, 'answered 408 Request Timeout');
  t.ok(headerBytes < 60, `the request head was cut off after ${headerBytes} bytes (${slowHeaders.state.closedAfterMs} ms; timeout 1 s)`);
  t.match(slowHeaders.state.received, /^HTTP\/1\.1 408 /, 'a dripping request head is answered 408 too');

  // A client that sends its request at once is unaffected.
  const res = await fetch(`http://127.0.0.1:${port}/api/admin/v1/channels`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body,
  });
  t.equal(res.status, 200, 'a prompt request is served');
});

t.test('connections over the cap are closed at accept; freed places are usable again', async (t) => {
  const { port } = await listening(t, { maxConnections: 3 });
  const held = [connect(port), connect(port), connect(port)];
  await Promise.all(held.map((c) => c.opened));
  await sleep(200);
  const extra = connect(port);
  await extra.opened;
  extra.socket.write('GET /livez HTTP/1.1\r\nHost: x\r\n\r\n');
  await extra.closed;
  t.equal(extra.state.received, '', 'the fourth connection was closed without an answer');
  t.ok(held.every((c) => c.state.closedAfterMs === null), 'the three held connections are still open');

  held[0]!.socket.destroy();
  await held[0]!.closed;
  await sleep(100);
  const res = await fetch(`http://127.0.0.1:${port}/livez`, { headers: { connection: 'close' } });
  t.equal(res.status, 200, 'with a place free, a new connection is served');
  for (const c of held) c.socket.destroy();
});
