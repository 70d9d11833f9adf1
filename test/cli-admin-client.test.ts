// AdminClient against an HTTP server on 127.0.0.1 that answers like a KUS server, a proxy, or something else entirely.
import t, { type Test } from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { AdminClient } from '../src/cli/admin-client.js';
import { KusError } from '../src/errors/index.js';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

/** Serves `answer(path)` and records each request. */
async function server(t: Test, answer: (req: IncomingMessage) => { status: number; body: string; type?: string }) {
  const seen: Seen[] = [];
  const srv = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, contentType: req.headers['content-type'], body });
      const a = answer(req);
      res.writeHead(a.status, { 'content-type': a.type ?? 'application/json' });
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => srv.close(() => resolve())));
  const { port } = srv.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, seen };
}

async function rejection(p: Promise<unknown>): Promise<KusError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof KusError) return err;
    throw err;
  }
  throw new Error('expected a KusError');
}

t.test('sends the bearer token and JSON, encodes path segments, keeps a base path, reads {value, warnings, changed}', async (t) => {
  const s = await server(t, () => ({ status: 200, body: JSON.stringify({ value: { ok: 1 }, warnings: ['careful'], changed: false }) }));
  const client = new AdminClient({ server: `${s.url}/kus/`, token: 'kus_secret' });
  t.equal(client.server, `${s.url}/kus`);
  const r = await client.post<{ ok: number }>('/channels/fast-4.9/versions', { version: '4.9.15+arm64' });
  t.same(r, { value: { ok: 1 }, warnings: ['careful'], changed: false });
  t.match(s.seen[0], {
    method: 'POST',
    url: '/kus/api/admin/v1/channels/fast-4.9/versions',
    authorization: 'Bearer kus_secret',
    contentType: 'application/json',
    body: '{"version":"4.9.15+arm64"}',
  });
  await client.delete('/releases/4.9.15%2Barm64', { arch: 'arm64', force: true, skipped: undefined });
  t.equal(s.seen[1]!.url, '/kus/api/admin/v1/releases/4.9.15%2Barm64?arch=arm64&force=true');
  t.equal(s.seen[1]!.contentType, undefined, 'no body, no content-type');
});

t.test('a KUS error body becomes the same KusError', async (t) => {
  const s = await server(t, () => ({
    status: 409,
    body: JSON.stringify({ code: 'KUS_ERR_DIGEST_MISMATCH', message: '4.9.15+arm64 is already stored', details: { version: '4.9.15+arm64' } }),
  }));
  const err = await rejection(new AdminClient({ server: s.url, token: 'x' }).get('/releases'));
  t.equal(err.code, 'KUS_ERR_DIGEST_MISMATCH');
  t.equal(err.message, '4.9.15+arm64 is already stored');
  t.same(err.details, { version: '4.9.15+arm64' });
});

t.test('anything else is KUS_ERR_SERVER_RESPONSE, naming the request and quoting the answer', async (t) => {
  const answers: Array<[{ status: number; body: string; type?: string }, RegExp]> = [
    [{ status: 502, body: '<html>Bad Gateway</html>', type: 'text/html' }, /^GET http:\/\/127\.0\.0\.1:\d+\/api\/admin\/v1\/audit answered 502 Bad Gateway without a KUS error body: "<html>Bad Gateway<\/html>"$/],
    [{ status: 418, body: JSON.stringify({ code: 'KUS_ERR_FROM_THE_FUTURE', message: 'hm' }) }, /answered 418 with an error code this CLI does not know: KUS_ERR_FROM_THE_FUTURE: hm/],
    [{ status: 200, body: '[1,2]' }, /answered 200 without a \{value, warnings\} body: "\[1,2\]"/],
    [{ status: 404, body: '' }, /answered 404 Not Found without a KUS error body; is --server the base URL of a KUS server with the admin API\?/],
  ];
  for (const [answer, message] of answers) {
    const s = await server(t, () => answer);
    const err = await rejection(new AdminClient({ server: s.url, token: 'x' }).get('/audit'));
    t.equal(err.code, 'KUS_ERR_SERVER_RESPONSE', `${answer.status} ${answer.body}`);
    t.match(err.message, message);
  }
});

t.test('a server that does not answer in time is unreachable', async (t) => {
  const srv = createServer(() => undefined);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    srv.closeAllConnections();
    return new Promise<void>((resolve) => srv.close(() => resolve()));
  });
  const { port } = srv.address() as { port: number };
  const err = await rejection(new AdminClient({ server: `http://127.0.0.1:${port}`, token: 'x', timeoutMs: 200 }).get('/tokens'));
  t.equal(err.code, 'KUS_ERR_SERVER_UNREACHABLE');
  t.match(err.message, `cannot reach the KUS server at "http://127.0.0.1:${port}" (GET /api/admin/v1/tokens): no answer in time`);
});

t.test('a --server that is not an http(s) base URL is a usage error', async (t) => {
  for (const [server, message] of [
    ['127.0.0.1:8080', /is not an http:\/\/ or https:\/\/ URL|is not a URL/],
    ['not a url', /is not a URL/],
    ['http://127.0.0.1:8080/?x=1', /must not carry a query or fragment/],
  ] as const) {
    t.throws(() => new AdminClient({ server, token: 'x' }), { code: 'KUS_ERR_USAGE', message }, server);
  }
});
