// Replicas learn of a primary's change by long poll (docs/architecture.md, "Replicas"): GET graph-data with a current
// If-None-Match and `Prefer: wait=N` is held until the archive changes or N seconds pass. Real `kus serve` processes.
import t from 'tap';
import path from 'node:path';
import { MAX_PREFER_WAIT_SECONDS, preferWait } from '../src/server/routes/public/graph-data.js';
import { serveChild } from './helpers/serve-child.js';
import { repoRoot as root } from './helpers/shared-fixtures.js';
import { until } from './helpers/until.js';

const TOKEN = `kus_${'l'.repeat(43)}`;
const GRAPH_DATA = '/api/upgrades_info/graph-data';
const GRAPH = '/api/upgrades_info/graph?channel=stable-4.9&arch=arm64';

t.test('Prefer: wait=N is read as RFC 7240 spells it, and capped', async (t) => {
  t.equal(preferWait('wait=10'), 10);
  t.equal(preferWait('respond-async, wait = 7'), 7);
  t.equal(preferWait(['handling=lenient', 'wait="3"']), 3);
  t.equal(preferWait('wait=100000'), MAX_PREFER_WAIT_SECONDS, 'capped');
  t.equal(preferWait('wait=-1'), 0, 'not a whole number');
  t.equal(preferWait('wait=1.5'), 0, 'not a whole number');
  t.equal(preferWait(undefined), 0);
});

t.test('a held graph-data poll: 304 after N s when nothing changes, the new archive as soon as something does', { timeout: 240_000 }, async (t) => {
  const dir = t.testdir({ 'admin-token': `${TOKEN}\n` });
  const primary = await serveChild(t, ['--db', path.join(dir, 'primary.db'), '--graph-data', path.join(root, 'graph-data'), '--admin-token-file', path.join(dir, 'admin-token')]);
  await until('primary ready', 60_000, async () => (await fetch(`${primary.url}/readyz`)).status === 200);
  const first = await fetch(`${primary.url}${GRAPH_DATA}`);
  t.equal(first.status, 200);
  const etag = first.headers.get('etag')!;
  await first.arrayBuffer();

  let started = Date.now();
  const quiet = await fetch(`${primary.url}${GRAPH_DATA}`, { headers: { 'if-none-match': etag, prefer: 'wait=2' } });
  const quietMs = Date.now() - started;
  t.equal(quiet.status, 304, 'nothing changed: 304');
  t.equal(quiet.headers.get('preference-applied'), 'wait=2', 'says it held the answer');
  t.ok(quietMs >= 1900, `held for the 2 s asked (${quietMs} ms)`);

  const stale = await fetch(`${primary.url}${GRAPH_DATA}`, { headers: { 'if-none-match': '"not-current"', prefer: 'wait=30' } });
  t.equal(stale.status, 200, 'an ETag that is not current is answered at once');
  t.equal(stale.headers.get('preference-applied'), null, 'nothing was held');
  await stale.arrayBuffer();

  started = Date.now();
  const held = fetch(`${primary.url}${GRAPH_DATA}`, { headers: { 'if-none-match': etag, prefer: 'wait=50' } });
  await new Promise((r) => setTimeout(r, 500));
  const publish = await fetch(`${primary.url}/api/admin/v1/releases`, {
    method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ version: '4.9.99-kylinsec.1', arch: 'arm64', payload: `quay.example/kylin/release@sha256:${'e'.repeat(64)}`, previous: ['4.9.15'], channels: ['stable-4.9'] }),
  });
  t.equal(publish.status, 200, await publish.clone().text());
  const changed = await held;
  const changedMs = Date.now() - started;
  t.equal(changed.status, 200, 'the held poll is answered with the new archive');
  t.not(changed.headers.get('etag'), etag, 'with a new ETag');
  t.equal(changed.headers.get('preference-applied'), 'wait=50');
  t.ok(changedMs < 50_000, `answered on the change, not at the end of the wait (${changedMs} ms)`);
  t.ok((await changed.arrayBuffer()).byteLength > 0);

  // A server stopping does not wait out the polls it holds.
  const newEtag = changed.headers.get('etag')!;
  const lingering = fetch(`${primary.url}${GRAPH_DATA}`, { headers: { 'if-none-match': newEtag, prefer: 'wait=60' } }).then((r) => r.status, () => 'closed');
  await new Promise((r) => setTimeout(r, 500));
  started = Date.now();
  t.equal(await primary.stop(), 0, 'the primary exits cleanly');
  const stopMs = Date.now() - started;
  t.ok(stopMs < 30_000, `and without waiting out the held poll's 60 s (${stopMs} ms)`);
  t.ok([304, 'closed'].includes(await lingering), 'the held poll ends with 304 or a closed connection');
});

t.test('a replica with a 60 s interval shows a publish on the primary within seconds', { timeout: 240_000 }, async (t) => {
  const dir = t.testdir({ 'admin-token': `${TOKEN}\n` });
  const primary = await serveChild(t, ['--db', path.join(dir, 'primary.db'), '--graph-data', path.join(root, 'graph-data'), '--admin-token-file', path.join(dir, 'admin-token')]);
  await until('primary ready', 60_000, async () => (await fetch(`${primary.url}/readyz`)).status === 200);
  const replica = await serveChild(t, ['--follow', primary.url, '--follow-interval', '60', '--db', path.join(dir, 'replica.db')]);
  await until('replica ready', 60_000, async () => (await fetch(`${replica.url}/readyz`)).status === 200);
  // Let the replica's first long poll reach the primary and be held.
  await new Promise((r) => setTimeout(r, 1000));
  const version = '4.9.98-kylinsec.1';
  const publish = await fetch(`${primary.url}/api/admin/v1/releases`, {
    method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ version, arch: 'arm64', payload: `quay.example/kylin/release@sha256:${'f'.repeat(64)}`, previous: ['4.9.15'], channels: ['stable-4.9'] }),
  });
  t.equal(publish.status, 200, await publish.clone().text());
  const tookMs = await until('the replica serves the new release', 55_000, async () => (await (await fetch(`${replica.url}${GRAPH}`)).text()).includes(version));
  t.ok(tookMs < 30_000, `well within the 60 s interval (${tookMs} ms): the primary answered the held poll`);
  t.same(await (await fetch(`${replica.url}${GRAPH}`)).text(), await (await fetch(`${primary.url}${GRAPH}`)).text(), 'same bytes as the primary');

  const started = Date.now();
  t.equal(await replica.stop(), 0, 'the replica exits cleanly');
  t.ok(Date.now() - started < 30_000, 'without waiting out its held poll');
  t.notMatch(replica.output(), /sync with the primary failed/, 'stopping is not logged as a failed sync');
});
