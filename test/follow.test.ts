// The Follower against a scripted primary on 127.0.0.1: a good archive is swapped in; garbage, a truncated or
// tampered archive, invalid graph-data or a graph with a cycle are refused and the last good snapshot stays; ETags
// make unchanged polls 304s.
import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { graphDataFiles } from '../src/graph-data/index.js';
import { writeTar } from '../src/tar/index.js';
import type { GraphData, Release } from '../src/graph/index.js';
import { Follower } from '../src/services/follow.js';
import { buildGraphDataArchive } from '../src/services/graph-data-archive.js';
import { openStore } from '../src/store/index.js';

const silent = { info() {}, warn() {}, error() {} };
const payload = (n: number): string => `registry.example/ocp/release@sha256:${n.toString(16).padStart(64, '0')}`;
const release = (version: string, n: number, previous: string[] = []): Release =>
  ({ version, arch: 'amd64', payload: payload(n), digest: `sha256:${n.toString(16).padStart(64, '0')}`, metadata: {}, previous, next: [] });
const data = (versions: string[]): GraphData =>
  ({ schemaVersion: '1.2.0', rawMetadata: [], blockedEdges: [], conditionalEdges: [], channels: [{ file: 'stable-1.0.yaml', name: 'stable-1.0', versions }] });
const archive = async (releases: Release[]): Promise<Buffer> =>
  await buildGraphDataArchive(graphDataFiles({ data: data(releases.map((r) => r.version)), releases }).map((f) => ({ path: f.path, bytes: Buffer.from(f.text) })));

t.test('swap in good snapshots, refuse bad ones, 304 when unchanged', async (t) => {
  let body: Buffer = await archive([release('1.0.0', 1), release('1.0.1', 2, ['1.0.0'])]);
  let etag = '"one"';
  const seen: Array<string | undefined> = [];
  const server = createServer((req, res) => {
    seen.push(req.headers['if-none-match']);
    if (req.url !== '/api/upgrades_info/graph-data') return void res.writeHead(404).end();
    if (req.headers['if-none-match'] === etag) return void res.writeHead(304, { etag }).end();
    res.writeHead(200, { 'content-type': 'application/gzip', etag }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const primary = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const store = openStore(path.join(t.testdir({}), 'replica.db'));
  t.teardown(() => store.close());
  let rebuilds = 0;
  const follower = new Follower({ store, rebuild: () => ({ ok: true, n: rebuilds++ }), primary, intervalSeconds: 1, logger: silent });
  const versions = (): string[] => store.loadGraphInput().releases.map((r) => r.version).sort();

  t.equal(await follower.sync(), 'updated');
  t.same(versions(), ['1.0.0', '1.0.1'], 'snapshot stored');
  t.equal(rebuilds, 1, 'rebuilt once');
  t.equal(await follower.sync(), 'unchanged', 'same ETag: 304');
  t.same(seen, [undefined, '"one"'], 'the second request was conditional');

  const refuse = async (what: string, next: Buffer, code: string, message: RegExp): Promise<void> => {
    body = next;
    etag = `"${what}"`;
    await t.rejects(follower.sync(), { code, message }, `${what}: refused`);
    t.same(versions(), ['1.0.0', '1.0.1'], `${what}: the last good snapshot stays`);
    t.equal(rebuilds, 1, `${what}: no rebuild`);
  };
  const good = await archive([release('1.0.0', 1), release('1.0.2', 3, ['1.0.0'])]);
  await refuse('garbage', Buffer.from('not gzip'), 'KUS_ERR_GRAPH_DATA', /did not send a gzip archive/);
  await refuse('truncated', gzipSync((await writeTar([{ path: 'version', bytes: Buffer.from('1.2.0\n') }])).subarray(0, 700)), 'KUS_ERR_GRAPH_DATA', /truncated/);
  const tampered = await writeTar([{ path: 'version', bytes: Buffer.from('1.2.0\n') }]);
  tampered[10] = 0x41;
  await refuse('tampered', gzipSync(tampered), 'KUS_ERR_GRAPH_DATA', /checksum/);
  await refuse('invalid', gzipSync(await writeTar([{ path: 'version', bytes: Buffer.from('9.0.0\n') }])), 'KUS_ERR_GRAPH_DATA', /graph-data from .* is invalid/);
  await refuse('cycle', await archive([release('1.0.0', 1, ['1.0.1']), release('1.0.1', 2, ['1.0.0'])]), 'KUS_ERR_CYCLE', /.+/);

  body = good;
  etag = '"two"';
  t.equal(await follower.sync(), 'updated', 'a good snapshot after bad ones');
  t.same(versions(), ['1.0.0', '1.0.2'], 'replaced, not merged: 1.0.1 is gone');
  t.equal(rebuilds, 2);

  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await t.rejects(follower.sync(), { code: 'KUS_ERR_UPSTREAM', message: new RegExp(`cannot reach "${primary}/api/upgrades_info/graph-data"`) }, 'primary gone');
  t.same(versions(), ['1.0.0', '1.0.2'], 'still the last good snapshot');
});
