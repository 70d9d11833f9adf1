// Watch mode against a real docker-registry: new release tags are ingested, junk tags skipped once, outages survived.
import t from 'tap';
import path from 'node:path';
import { buildApp } from '../src/server/app.js';
import { GraphCache } from '../src/services/graph-cache.js';
import { Ingest } from '../src/services/ingest.js';
import { Publisher } from '../src/services/publisher.js';
import { Watcher } from '../src/services/watch.js';
import { openStore } from '../src/store/index.js';
import { image, releaseImage } from './helpers/images.js';
import { registrySkip, startRegistry } from './helpers/registry.js';
import { serveChild } from './helpers/serve-child.js';
import { tempTree } from './helpers/temp-tree.js';

const skip = registrySkip();
const quiet = { info() {}, warn() {}, error() {} };

async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface LogLine {
  level: string;
  msg: string;
  obj: Record<string, unknown>;
}

t.test('a watcher in process: ingest, skip junk once, back off and recover from an outage, metrics', { skip }, async (t) => {
  const reg = await startRegistry(t);
  const repo = `${reg.host}/ocp/release`;
  await reg.push('ocp/release', '4.9.0', await releaseImage({ version: '4.9.0' }));
  await reg.push('ocp/release', 'cli', await image({ arch: 'amd64', layers: [[{ path: 'usr/bin/oc', body: 'oc' }]] }));
  await reg.push('ocp/release', `sha256-${'c'.repeat(64)}.sig`, await image({ arch: '', configMediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', layers: [] }));

  const store = openStore(path.join(tempTree(t), 'kus.db'));
  t.teardown(() => store.close());
  const cache = new GraphCache({ load: () => store.loadGraphInput(), logger: quiet });
  cache.rebuild();
  const publisher = new Publisher({ store, rebuild: () => cache.rebuild() });
  const ingest = new Ingest({ publisher, registry: { insecure: true, timeoutMs: 2000 } });
  const lines: LogLine[] = [];
  const log = (level: string) => (obj: object, msg: string) => lines.push({ level, msg, obj: obj as Record<string, unknown> });
  const logger = { info: log('info'), warn: log('warn'), error: log('error') };
  const watcher = new Watcher({ ingest, publisher, logger, repositories: [repo], intervalSeconds: 0.3 });
  const app = buildApp({ graphs: cache, logLevel: 'silent', watch: watcher });
  t.teardown(async () => {
    await watcher.stop();
    await app.close();
  });
  const stats = () => watcher.stats()[0]!;
  const stored = () => store.releases.list().map((r) => r.version).sort();

  watcher.start();
  await waitFor('the first scrape', () => stats().scrapes >= 1);
  t.same(stored(), ['4.9.0'], 'the release tag was ingested');
  t.match(store.releases.list()[0], { payload: new RegExp(`^${repo.replace(/[.]/g, '[.]')}@sha256:`), arch: 'amd64' });
  t.same(stats().skipped, { signature: 1, 'not-a-release': 1, refused: 0 }, 'the cosign tag and the component image were skipped');
  t.equal(stats().lastSuccessAt instanceof Date, true);
  const skips = lines.filter((l) => l.msg.startsWith('watch: skipping'));
  t.same(skips.map((l) => [l.obj.tag, l.obj.reason]).sort(), [['cli', 'not-a-release'], [`sha256-${'c'.repeat(64)}.sig`, 'signature']], 'each skip logged with its reason');
  t.match(skips.find((l) => l.obj.tag === 'cli')?.obj.why, /none of its 1 layers holds release-manifests\/release-metadata/);

  await reg.push('ocp/release', '4.9.1', await releaseImage({ version: '4.9.1', previous: ['4.9.0'] }));
  await waitFor('4.9.1 to be ingested', () => stored().includes('4.9.1'), 5000);
  t.same(stored(), ['4.9.0', '4.9.1'], 'a newly pushed tag is ingested within an interval or two');
  t.same(store.releases.list().find((r) => r.version === '4.9.1')?.previous, ['4.9.0'], 'with the previous versions its release-metadata names');
  const scrapes = stats().scrapes;
  await waitFor('two more scrapes', () => stats().scrapes >= scrapes + 2);
  t.equal(lines.filter((l) => l.msg.startsWith('watch: skipping')).length, 2, 'junk tags are not logged again');
  t.equal(stats().ingested, 2);

  // A release image whose version is already stored with another digest: refused once by the publisher, then remembered.
  await reg.push('ocp/release', '4.9.1-again', await releaseImage({ version: '4.9.1', metadata: { other: 'build' } }));
  await waitFor('the refusal', () => stats().skipped.refused === 1);
  const refusals = () => publisher.auditLog({ limit: 100 }).filter((a) => JSON.stringify(a).includes('KUS_ERR_DIGEST_MISMATCH')).length;
  const seen = refusals();
  t.equal(seen, 1, 'the publisher audited the refusal');
  const after = stats().scrapes;
  await waitFor('two more scrapes', () => stats().scrapes >= after + 2);
  t.equal(refusals(), 1, 'not offered again at every scrape');

  // Outage: the registry goes away; scrapes fail, back off, and the watcher keeps going.
  await reg.stop();
  await waitFor('a failed scrape', () => stats().consecutiveFailures >= 1);
  t.ok(lines.some((l) => l.level === 'error' && l.msg === 'watch: cannot list the tags' && /cannot reach registry/.test(JSON.stringify(l.obj))),
    'the failure is logged with the reason');
  const failures = stats().failures;
  await new Promise((r) => setTimeout(r, 1000));
  t.ok(stats().failures - failures <= 2, `backoff: at most 2 more failed scrapes in 1 s at a 0.3 s interval (${stats().failures - failures})`);
  await reg.start();
  await reg.push('ocp/release', '4.9.2', await releaseImage({ version: '4.9.2', previous: ['4.9.1'] }));
  await waitFor('recovery and 4.9.2', () => stored().includes('4.9.2') && stats().consecutiveFailures === 0, 10_000);
  t.ok(stored().includes('4.9.2'), 'ingested the tag pushed after the outage');
  t.equal(stats().consecutiveFailures, 0, 'the failure streak ended with the first good scrape');

  const metrics = (await app.inject({ url: '/metrics' })).body;
  const label = `repository="${repo}"`;
  t.match(metrics, new RegExp(`kus_watch_releases_ingested_total\\{${label}\\} 3`), 'ingested releases');
  t.match(metrics, new RegExp(`kus_watch_scrapes_total\\{${label}\\} \\d+`), 'scrapes');
  t.match(metrics, new RegExp(`kus_watch_scrape_errors_total\\{${label}\\} [1-9]`), 'errors');
  t.match(metrics, new RegExp(`kus_watch_last_success_timestamp_seconds\\{${label}\\} \\d+`), 'last success');
  t.match(metrics, new RegExp(`kus_watch_tags_skipped_total\\{${label},reason="not-a-release"\\} 1`), 'skips by reason');
  t.match(metrics, new RegExp(`kus_watch_consecutive_failures\\{${label}\\} 0`));
});

t.test('kus serve --watch: ingests on its own, exports metrics, stops cleanly', { skip }, async (t) => {
  const reg = await startRegistry(t, 'htpasswd');
  const repo = `${reg.host}/ocp/release`;
  const digest = await reg.push('ocp/release', '7.0.0', await releaseImage({ version: '7.0.0' }, 'arm64'));
  const db = path.join(tempTree(t), 'kus.db');
  const server = await serveChild(t, ['--db', db, '--graph-data', tempTree(t, { version: '1.0.0\n', raw: { 'metadata.json': '{}' }, 'blocked-edges': {}, channels: {} }), '--watch', repo, '--watch-interval', '0.5',
    '--registry-insecure', '--registry-auth', reg.pullSecret()]);
  const label = `repository="${repo}"`;
  await waitFor('the release to be ingested', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return new RegExp(`kus_watch_releases_ingested_total\\{${label}\\} 1`).test(text);
  });
  t.match(await (await fetch(`${server.url}/metrics`)).text(), /kus_graph_releases 1/, 'the served graph holds it');
  t.equal(await server.stop(), 0, 'SIGTERM stops the server and the watcher');
  const store = openStore(db);
  t.teardown(() => store.close());
  t.same(store.releases.list().map((r) => [r.version, r.arch, r.payload]), [['7.0.0', 'arm64', `${repo}@${digest}`]]);
  t.match(store.audit.list(10), [{ actor: 'watch', action: 'release.add' }], 'audited as the watcher');
});

t.test('kus serve refuses a watch repository that is not one', { skip }, async (t) => {
  const { runKus } = await import('./helpers/run-cli.js');
  const r = runKus(['serve', '--port', '0', '--db', path.join(tempTree(t), 'kus.db'), '--watch', 'quay.example/ocp/release:4.9']);
  t.equal(r.status, 1);
  t.match(r.stderr, /^KUS_ERR_INVALID_PULL_SPEC: repository "quay\.example\/ocp\/release:4\.9" carries a tag or digest/);
});
